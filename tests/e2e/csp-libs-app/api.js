// The other service: a JSON API open to every origin, and a socket.io server (HTTP polling, then a WebSocket; a short
// ping interval answers each long poll soon).
const http = require('http');
const { Server } = require('socket.io');

const server = http.createServer((req, res) => {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify([1, 2, 3]));
});
new Server(server, { cors: { origin: '*' }, pingInterval: 300, pingTimeout: 1000 });
server.listen(process.env.PORT || 4000, () => {
  console.log(`listening on ${server.address().port}`);
});
