// A dashboard whose page script reads another service (its own origin) through jQuery, axios and socket.io.
const path = require('path');
const express = require('express');

const app = express();
app.use(express.static(path.join(__dirname, 'public')));
app.use('/vendor', express.static(path.join(__dirname, 'node_modules/jquery/dist')));
app.use('/vendor', express.static(path.join(__dirname, 'node_modules/axios/dist')));
app.use('/vendor', express.static(path.join(__dirname, 'node_modules/socket.io-client/dist')));

const server = app.listen(process.env.PORT || 3000, () => {
  console.log(`listening on ${server.address().port}`);
});
