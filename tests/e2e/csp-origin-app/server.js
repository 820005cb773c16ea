// A page whose script calls the app's own API through URLs it builds from a constant and from the page's origin, and
// opens a WebSocket to the app's own host (a minimal handshake here: the browser only needs the connection opened).
const crypto = require('crypto');
const path = require('path');
const express = require('express');

const app = express();
app.get('/api/items', (req, res) => res.json([1, 2]));
app.use(express.static(path.join(__dirname, 'public')));

const server = app.listen(process.env.PORT || 3000, () => {
  console.log(`listening on ${server.address().port}`);
});
server.on('upgrade', (req, socket) => {
  const accept = crypto
    .createHash('sha1')
    .update(req.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11')
    .digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
});
