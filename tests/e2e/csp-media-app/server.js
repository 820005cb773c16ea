// Pages with a map (Leaflet, tiles from a tile server), the app's own diagram in an <object>, an upload preview and
// Alpine, which the build bundles from its package (here: the package's own build, served as the bundle).
const path = require('path');
const express = require('express');

const app = express();
app.use(express.static(path.join(__dirname, 'public')));
app.get('/vendor/leaflet.js', (req, res) => res.sendFile(path.join(__dirname, 'node_modules/leaflet/dist/leaflet.js')));
app.get('/js/bundle.js', (req, res) => res.sendFile(path.join(__dirname, 'node_modules/alpinejs/dist/cdn.min.js')));

const server = app.listen(process.env.PORT || 3000, () => {
  console.log(`listening on ${server.address().port}`);
});
