// Express 3 app in the generator's style (comma-first var list, app.configure, bundled middleware, app.router) for the express4 end-to-end test

/**
 * Module dependencies.
 */

var express = require('express')
  , http = require('http')
  , path = require('path');
const favicon = require('serve-favicon');
const morgan = require('morgan');
const bodyParser = require('body-parser');
const methodOverride = require('method-override');
const cookieParser = require('cookie-parser');
const session = require('express-session');
const errorHandler = require('errorhandler');

var app = express();

app.set('port', process.env.PORT || 3000);
app.use(favicon(__dirname + '/public/favicon.ico'));
app.use(morgan('dev'));
app.use(bodyParser.json());
app.use(bodyParser.urlencoded({ extended: true }));
app.use(methodOverride());
app.use(cookieParser('secret'));
app.use(session({ secret: 'keyboard cat' }));
app.use(express.static(path.join(__dirname, 'public')));

if (app.get('env') === 'development') {
  app.use(errorHandler());
}

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
