const path = require('path');
const express = require('express');

const app = express();

// A page built in code around a fixed inline script and an inline handler.
app.get('/built', (req, res) => {
  res.send('<!DOCTYPE html><title>built</title><p id="script">no</p><p id="handler">no</p>'
    + '<button id="go" onclick="document.getElementById(\'handler\').textContent = \'yes\'">go</button>'
    + '<script>document.getElementById(\'script\').textContent = \'yes\'; document.getElementById(\'go\').click();</script>');
});

app.use(express.static(path.join(__dirname, 'public')));

const server = app.listen(process.env.PORT || 3000, () => {
  console.log(`listening on ${server.address().port}`);
});
