// Express 3 app in the generator's style (comma-first var list, app.configure, bundled middleware, app.router) for the express4 end-to-end test

/**
 * Module dependencies.
 */

var express = require('express')
  , http = require('http')
  , path = require('path');

var app = express();

app.configure(function(){
  app.set('port', process.env.PORT || 3000);
  app.use(express.favicon(__dirname + '/public/favicon.ico'));
  app.use(express.logger('dev'));
  app.use(express.bodyParser());
  app.use(express.methodOverride());
  app.use(express.cookieParser('secret'));
  app.use(express.session({ secret: 'keyboard cat' }));
  app.use(app.router);
  app.use(express.static(path.join(__dirname, 'public')));
  app.use(function(req, res){
    res.send(404, 'Not found');
  });
});

app.configure('development', function(){
  app.use(express.errorHandler());
});

app.get('/', function(req, res){
  req.session.views = (req.session.views || 0) + 1;
  res.json({ views: req.session.views });
});

app.post('/echo', function(req, res){
  res.json(req.body);
});

http.createServer(app).listen(app.get('port'), function(){
  console.log('listening on ' + app.get('port'));
});
