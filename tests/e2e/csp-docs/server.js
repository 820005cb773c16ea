// A document host and a self-hosted analytics server (Plausible-like) on its own origin, which the browser reaches as
// docs.lan and stats.lan: /invoice.pdf answers a one-page PDF, /js/script.js a script that posts an event to its own
// origin's /api/event (as Plausible's and Umami's scripts do) and says in the page's #an whether it got through.
const http = require('http');

const pdf =
  '%PDF-1.1\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj ' +
  '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF';
const script = `(function () {
  var src = document.currentScript.src;
  var shown = function (text) { document.getElementById('an').textContent = text; };
  fetch(new URL('/api/event', src), { method: 'POST', body: '{"n":"pageview"}' })
    .then(function () { shown('yes'); })
    .catch(function () { shown('blocked'); });
})();`;
const server = http.createServer((req, res) => {
  if (req.url === '/invoice.pdf') {
    res.writeHead(200, { 'Content-Type': 'application/pdf' });
    return res.end(pdf);
  }
  if (req.url.startsWith('/js/')) {
    res.writeHead(200, { 'Content-Type': 'application/javascript' });
    return res.end(script);
  }
  res.writeHead(202, { 'Access-Control-Allow-Origin': '*' });
  res.end('ok');
});
server.listen(process.env.PORT || 0, () => {
  console.log(`listening on ${server.address().port}`);
});
