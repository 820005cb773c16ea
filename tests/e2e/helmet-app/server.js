const path = require('path');
const express = require('express');

const port = process.env.PORT;
if (!port) {
  console.error('PORT is not set: run as PORT=3000 node server.js');
  process.exit(1);
}

const app = express();

app.get('/', (req, res) => {
  res.type('html').send('<!DOCTYPE html><title>helmet-app</title><h1>Hello from helmet-app</h1>');
});

app.get('/api/health', (req, res) => {
  res.json({ status: 'ok' });
});

app.use(express.static(path.join(__dirname, 'public')));

app.listen(port, () => {
  console.log(`listening on ${port}`);
});
