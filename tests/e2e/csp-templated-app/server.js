const express = require('express');
const greeting = require('./greeting');

const port = process.env.PORT;
if (!port) {
  console.error('PORT is not set: run as PORT=3000 node server.js');
  process.exit(1);
}

const app = express();

app.get('/', greeting);

app.listen(port, () => {
  console.log(`listening on ${port}`);
});
