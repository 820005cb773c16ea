// Another site (its own origin): a CDN script, a widget to frame, an API, a payment form's target (which counts the
// payments it receives, GET /paid), and a page that shows the app's badge. Plain Node, no dependency.
const http = require('http');

const pages = {
  '/cdn.js': ['application/javascript', "document.getElementById('cdn').textContent = 'yes';"],
  '/widget.html': ['text/html', "<!DOCTYPE html><script>parent.postMessage('widget-ok', '*');</script>"],
  '/hello.json': ['application/json', '{"hello":"yes"}'],
};

let paid = 0;

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (req.method === 'POST' && url.pathname === '/pay') {
    paid += 1;
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<!DOCTYPE html><p>paid</p>');
    return;
  }
  if (url.pathname === '/paid') {
    const count = String(paid);
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': count.length });
    res.end(count);
    return;
  }
  if (url.pathname === '/embed.html') {
    const badge = `${url.searchParams.get('app')}/badge.svg`;
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(`<!DOCTYPE html><p id="badge">no</p><img src="${badge}"
      onload="document.getElementById('badge').textContent = 'yes'"
      onerror="document.getElementById('badge').textContent = 'blocked'">`);
    return;
  }
  const page = pages[url.pathname];
  if (!page) {
    res.writeHead(404);
    res.end();
    return;
  }
  res.writeHead(200, { 'Content-Type': page[0], 'Access-Control-Allow-Origin': '*' });
  res.end(page[1]);
});

server.listen(process.env.PORT || 3001, () => {
  console.log(`listening on ${server.address().port}`);
});
