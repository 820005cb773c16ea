// A small login app whose record routes use inline patterns (':id(\\d+)'), which Express 5 no longer reads.
var express = require('express');
var session = require('express-session');

var app = express();
var users = {};
var records = [];

app.use(express.urlencoded({ extended: false }));
app.use(session({ secret: process.env.SESSION_SECRET || 'e2e', resave: false, saveUninitialized: false }));

function requireLogin(req, res, next) {
  if (!req.session.user) return res.send(401, 'log in first');
  next();
}

app.post('/signup', function (req, res) {
  if (users[req.body.user]) return res.send(409, 'taken');
  users[req.body.user] = req.body.password;
  res.send(201, 'signed up ' + req.body.user);
});

app.post('/login', function (req, res) {
  if (users[req.body.user] !== req.body.password) return res.send(403, 'wrong password');
  req.session.user = req.body.user;
  res.send('welcome ' + req.body.user);
});

app.post('/records', requireLogin, function (req, res) {
  records.push({ owner: req.session.user, text: req.body.text });
  res.json({ id: records.length }, 201);
});

app.get('/records/:id(\\d+)', requireLogin, function (req, res) {
  var record = records[req.params.id - 1];
  if (!record) return res.send(404);
  res.send(record.owner + ': ' + record.text);
});

app.post('/records/:id(\\d+)/edit', requireLogin, function (req, res) {
  var record = records[req.params.id - 1];
  if (!record) return res.send(404);
  record.text = req.body.text;
  res.redirect('/records/' + req.params.id);
});

app.get('/records/:name', function (req, res) {
  res.send('no record called ' + req.params.name);
});

var port = process.env.PORT || 3000;
app.listen(port, function () {
  console.log('listening on ' + port);
});
