const path = require('path');
const express = require('express');

const app = express();
// Pages may be embedded in other sites only where the operator allows it.
if (process.env.ALLOW_EMBEDDING !== 'true') {
  app.use((req, res, next) => {
    res.setHeader('X-Frame-Options', 'SAMEORIGIN');
    next();
  });
}

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
