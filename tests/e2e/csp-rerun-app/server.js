// A page with an inline event handler (the first run writes a policy for it); a map page comes later.
const path = require('path');
const express = require('express');

const app = express();
app.use(express.static(path.join(__dirname, 'public')));
app.get('/vendor/leaflet.js', (req, res) => res.sendFile(path.join(__dirname, 'node_modules/leaflet/dist/leaflet.js')));

const server = app.listen(process.env.PORT || 3000, () => {
  console.log(`listening on ${server.address().port}`);
});
