var express = require('express');
var cookieSession = require('cookie-session');

var app = express();
app.use(cookieSession({ name: 'session', secret: 'keyboard cat' }));
app.get('/', function (req, res) {
  req.session.visits = (req.session.visits || 0) + 1;
  res.send(process.version + ' ' + req.session.visits);
});

var port = process.env.PORT || 3000;
app.listen(port, function () {
  console.log('listening on ' + port);
});
