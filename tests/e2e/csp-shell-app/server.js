const fs = require('fs');
const path = require('path');
const express = require('express');

const config = { apiBase: '/api', release: 'dev' };
const shell = fs.readFileSync(path.join(__dirname, 'public', 'index.html'), 'utf8');

const app = express();
app.get('/', (req, res) => res.send(shell.replace('__APP_CONFIG__', JSON.stringify(config))));

const server = app.listen(process.env.PORT || 3000, () => {
  console.log(`listening on ${server.address().port}`);
});
