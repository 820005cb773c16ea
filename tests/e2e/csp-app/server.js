const path = require('path');
const express = require('express');

const port = process.env.PORT;
if (!port) {
  console.error('PORT is not set: run as PORT=3000 node server.js');
  process.exit(1);
}

const app = express();

// A page built in code around a fixed inline script and an inline handler.
app.get('/built', (req, res) => {
  res.send('<!DOCTYPE html><title>built</title><p id="script">no</p><p id="handler">no</p>'
    + '<button id="go" onclick="document.getElementById(\'handler\').textContent = \'yes\'">go</button>'
    + '<script>document.getElementById(\'script\').textContent = \'yes\'; document.getElementById(\'go\').click();</script>');
});

app.use(express.static(path.join(__dirname, 'public')));

app.listen(port, () => {
  console.log(`listening on ${port}`);
});
