// Express 4 app using every signature the express5 transform rewrites, and the old route syntax, for the express5 end-to-end test
var express = require('express');
var path = require('path');

var app = express();
var port = process.env.PORT || 3000;

var items = { '1': 'apple', '2': 'pear' };

app.use(express.urlencoded());

app.get('/items/:id', function (req, res) {
  var item = items[req.param('id')];
  if (!item) return res.send(404);
  res.send('item ' + item);
});

app.del('/items/:id', function (req, res) {
  res.json({ deleted: req.param('id') });
});

app.get('/search', function (req, res) {
  res.send('search ' + req.param('q'));
});

app.post('/search', function (req, res) {
  res.send('search ' + req.param('q'));
});

app.get('/hello', function (req, res) {
  res.sendfile(path.join(__dirname, 'public', 'hello.txt'));
});

app.post('/created', function (req, res) {
  res.send('created', 201);
});

app.get('/boom', function (req, res) {
  res.send(500, 'boom');
});

app.get('/accepted', function (req, res) {
  res.json({ ok: true }, 202);
});

app.post('/things', function (req, res) {
  res.json(201, { a: 1 });
});

app.get('/padded', function (req, res) {
  res.jsonp({ p: 1 }, 203);
});

app.get('/old', function (req, res) {
  res.redirect('/target', 301);
});

app.get('/target', function (req, res) {
  res.send('target');
});

app.get('/back', function (req, res) {
  res.redirect('back');
});

app.get('/where', function (req, res) {
  res.location('back');
  res.send(200);
});

app.get('/lang', function (req, res) {
  res.json({
    language: req.acceptsLanguage('en', 'fr'),
    charset: req.acceptsCharset('utf-8'),
    encoding: req.acceptsEncoding('gzip')
  });
});

app.get('/files/*', function (req, res) {
  res.send('file ' + req.params[0]);
});

app.get('/orders/:id(\\d+)', function (req, res) {
  res.send('order ' + req.params.id);
});

app.get('/orders/:slug', function (req, res) {
  res.send('order named ' + req.params.slug);
});

app.get(['/docs/*', '/guides/*'], function (req, res) {
  res.send('page [' + req.params[0] + ']');
});

var spa = express.Router();
spa.get('/*', function (req, res) {
  res.send('spa shell for [' + req.params[0] + ']');
});
app.use('/spa', spa);

app.get('/report(.csv)?', function (req, res) {
  res.send('report as ' + (req.params[0] || 'html'));
});

app.get('/(about|contact)', function (req, res) {
  res.send('static ' + req.path);
});

app.get('/filtered', function (req, res) {
  res.send('filter ' + (req.query.filter ? req.query.filter.name : 'none'));
});

app.get('/users/:id?', function (req, res) {
  if (req.params.id) return res.send('user ' + req.params.id);
  res.send('all users');
});

app.post('/echo', function (req, res) {
  res.json(req.body);
});

app.get('/logout', function (req, res) {
  res.clearCookie('a', { maxAge: 1000 });
  res.send('bye');
});

app.get('/fail', function (req, res) {
  throw new Error('failed on purpose');
});

app.get('*', function (req, res) {
  res.send('no route for ' + req.path, 404);
});

app.use(function (err, req, res, next) {
  res.json({ error: err.message }, 500);
});

app.listen(port, function () {
  console.log('listening on ' + port);
});
