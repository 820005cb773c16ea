// The MEAN layout: the API, and the Angular front end's build (client/dist/client/browser, made by `ng build` in
// client/), named through a constant.
const path = require('path');
const express = require('express');

const app = express();
const dist = path.join(__dirname, 'client/dist/client/browser');
app.get('/api/health', (req, res) => res.json({ ok: true }));
app.use(express.static(dist));
app.get('*', (req, res) => res.sendFile(path.join(dist, 'index.html')));

const server = app.listen(process.env.PORT || 5000, () => {
  console.log(`listening on ${server.address().port}`);
});
