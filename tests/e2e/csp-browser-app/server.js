// A self-hosted dashboard: opened over plain HTTP at the machine's address on the home network, never behind TLS.
const path = require('path');
const express = require('express');

const app = express();
app.use(express.static(path.join(__dirname, 'public')));

const server = app.listen(process.env.PORT || 3000, () => {
  console.log(`listening on ${server.address().port}`);
});
