// The other site (its own origin): a script, a page to frame, a pixel, a module, a worker's library, and the script
// a page with this site as its `<base href>` loads by a relative URL.
const http = require('http');

const bodies = {
  '/lib.js': ['text/javascript', "document.getElementById('script').textContent = 'yes';"],
  '/embed': ['text/html', "<!DOCTYPE html><script>parent.postMessage('framed', '*');</script>"],
  '/p.gif': ['image/gif', Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64')],
  '/mod.js': ['text/javascript', 'export default "yes";'],
  '/worker-lib.js': ['text/javascript', 'self.LIB_OK = true;'],
  '/assets/base.js': ['text/javascript', "document.getElementById('base').textContent = 'yes';"],
};
const server = http.createServer((req, res) => {
  const [type, body] = bodies[req.url.split('?')[0]] || ['text/plain', 'not found'];
  res.writeHead(body === 'not found' ? 404 : 200, { 'Content-Type': type, 'Access-Control-Allow-Origin': '*' });
  res.end(body);
});
server.listen(process.env.PORT || 4000, () => {
  console.log(`listening on ${server.address().port}`);
});
