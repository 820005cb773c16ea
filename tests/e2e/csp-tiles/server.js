// A map tile server on its own origin: every path answers with a 1x1 PNG (the browser reaches it as a.tiles.lan,
// b.tiles.lan, ...).
const http = require('http');

const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64'
);
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': png.length });
  res.end(png);
});
server.listen(process.env.PORT || 0, () => {
  console.log(`listening on ${server.address().port}`);
});
