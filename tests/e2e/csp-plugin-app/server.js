// Pages that show a PDF from another host in an <object>, object URLs in an <embed> and an <object> the script makes,
// in an <embed> it writes as HTML and in an <iframe> it finds by class (held in a variable named thumb), and a status
// page with a self-hosted analytics script whose host is a setting.
const path = require('path');
const express = require('express');
const { getAnalyticsScript } = require('./analytics/plausible');

const app = express();
app.use(express.static(path.join(__dirname, 'public')));
app.get('/status', (req, res) => {
  res.send(`<!DOCTYPE html><html><head>${getAnalyticsScript(process.env.ANALYTICS_URL, 'status.lan')}</head>
<body><p id="an">no</p></body></html>`);
});

const server = app.listen(process.env.PORT || 3000, () => {
  console.log(`listening on ${server.address().port}`);
});
