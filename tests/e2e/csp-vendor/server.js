// A widget vendor over HTTPS (a self-signed certificate made by the test, TLS_KEY and TLS_CERT): the browser reaches
// it as js.stripe.com and api.stripe.com (Chromium's --host-resolver-rules), so the app's page is exactly one that
// embeds Stripe.js. Its script writes into the page, opens a frame of its own site and calls its API, as Stripe.js
// does. Reached as plausible.io, its /js/script.js posts a pageview to /api/event of the host it was loaded from, as
// Plausible's script does (a text/plain POST, which needs no preflight). Plain Node, no dependency.
const fs = require('fs');
const https = require('https');

const script = `
function start() {
  document.getElementById('script').textContent = 'yes';
  window.addEventListener('message', (e) => {
    if (e.data === 'vendor-frame') document.getElementById('frame').textContent = 'yes';
  });
  const frame = document.createElement('iframe');
  frame.src = 'https://js.stripe.com/frame.html';
  document.body.appendChild(frame);
  fetch('https://api.stripe.com/ping').then((r) => r.text()).then((t) => {
    document.getElementById('api').textContent = t;
  }, () => {
    document.getElementById('api').textContent = 'blocked';
  });
}
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
`;

const analytics = `
document.getElementById('script').textContent = 'yes';
const endpoint = new URL('/api/event', document.currentScript.src);
fetch(endpoint, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{"n":"pageview"}' })
  .then((r) => r.text())
  .then((t) => {
    document.getElementById('event').textContent = t;
  }, () => {
    document.getElementById('event').textContent = 'blocked';
  });
`;

const pages = {
  '/js/script.js': ['application/javascript', analytics],
  '/api/event': ['text/plain', 'yes'],
  '/v3/': ['application/javascript', script],
  '/frame.html': ['text/html', "<!DOCTYPE html><script>parent.postMessage('vendor-frame', '*');</script>"],
  '/ping': ['text/plain', 'yes'],
};

const options = { key: fs.readFileSync(process.env.TLS_KEY), cert: fs.readFileSync(process.env.TLS_CERT) };
const server = https.createServer(options, (req, res) => {
  const [type, body] = pages[new URL(req.url, 'https://js.stripe.com').pathname] || [];
  res.writeHead(type ? 200 : 404, type ? { 'Content-Type': type, 'Access-Control-Allow-Origin': '*' } : {});
  res.end(body);
});

server.listen(process.env.PORT || 3443, () => {
  console.log(`listening on ${server.address().port}`);
});
