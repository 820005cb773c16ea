const express = require('express');
const greeting = require('./greeting');

const app = express();

app.get('/', greeting);

const server = app.listen(process.env.PORT || 3000, () => {
  console.log(`listening on ${server.address().port}`);
});
