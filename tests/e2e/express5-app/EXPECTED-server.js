// Express 4 app using every signature the express5 transform rewrites, and the old route syntax, for the express5 end-to-end test
var express = require('express');
var path = require('path');

var app = express();
app.set('query parser', 'extended');
var port = process.env.PORT || 3000;

var items = { '1': 'apple', '2': 'pear' };

app.use(express.urlencoded({ extended: true }));

app.get('/items/:id', function (req, res) {
  var item = items[req.params.id];
  if (!item) return res.sendStatus(404);
  res.send('item ' + item);
});

app.delete('/items/:id', function (req, res) {
  res.json({ deleted: req.params.id });
});

app.get('/search', function (req, res) {
  res.send('search ' + (req.params.q ?? req.body?.q ?? req.query.q));
});

app.post('/search', function (req, res) {
  res.send('search ' + (req.params.q ?? req.body?.q ?? req.query.q));
});

app.get('/hello', function (req, res) {
  res.sendFile(path.join(__dirname, 'public', 'hello.txt'));
});

app.post('/created', function (req, res) {
  res.status(201).send('created');
});

app.get('/boom', function (req, res) {
  res.status(500).send('boom');
});

app.get('/accepted', function (req, res) {
  res.status(202).json({ ok: true });
});

app.post('/things', function (req, res) {
  res.status(201).json({ a: 1 });
});

app.get('/padded', function (req, res) {
  res.status(203).jsonp({ p: 1 });
});

app.get('/old', function (req, res) {
  res.redirect(301, '/target');
});

app.get('/target', function (req, res) {
  res.send('target');
});

app.get('/back', function (req, res) {
  res.redirect(req.get('Referrer') || '/');
});

app.get('/where', function (req, res) {
  res.location(req.get('Referrer') || '/');
  res.sendStatus(200);
});

app.get('/lang', function (req, res) {
  res.json({
    language: req.acceptsLanguages('en', 'fr'),
    charset: req.acceptsCharsets('utf-8'),
    encoding: req.acceptsEncodings('gzip')
  });
});

app.get('/files/{*splat}', function (req, res) {
  res.send('file ' + (req.params.splat || []).join('/'));
});

app.get(/^\/orders(?:\/(?<id>\d+))\/?$/i, function (req, res) {
  res.send('order ' + req.params.id);
});

app.get('/orders/:slug', function (req, res) {
  res.send('order named ' + req.params.slug);
});

app.get(['/docs/{*splat}', '/guides/{*splat}'], function (req, res) {
  res.send('page [' + (req.params.splat || []).join('/') + ']');
});

var spa = express.Router();
spa.get('/{*splat}', function (req, res) {
  res.send('spa shell for [' + (req.params.splat || []).join('/') + ']');
});
app.use('/spa', spa);

app.get(/^\/report(\.csv)?\/?$/i, function (req, res) {
  res.send('report as ' + (req.params[0] || 'html'));
});

app.get(/^\/(?:about|contact)\/?$/i, function (req, res) {
  res.send('static ' + req.path);
});

app.get('/filtered', function (req, res) {
  res.send('filter ' + (req.query.filter ? req.query.filter.name : 'none'));
});

app.get('/users{/:id}', function (req, res) {
  if (req.params.id) return res.send('user ' + req.params.id);
  res.send('all users');
});

app.post('/echo', function (req, res) {
  res.json(req.body);
});

app.get('/logout', function (req, res) {
  res.clearCookie('a');
  res.send('bye');
});

app.get('/fail', function (req, res) {
  throw new Error('failed on purpose');
});

app.get('/{*splat}', function (req, res) {
  res.status(404).send('no route for ' + req.path);
});

app.use(function (err, req, res, next) {
  res.status(500).json({ error: err.message });
});

app.listen(port, function () {
  console.log('listening on ' + port);
});
