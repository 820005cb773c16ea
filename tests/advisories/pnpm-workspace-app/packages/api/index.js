const cookieParser = require('cookie-parser');
const bodyParser = require('body-parser');

module.exports = function routes(app) {
  app.use(cookieParser());
  app.post('/seen', bodyParser.urlencoded({ extended: false }), (req, res) => {
    res.cookie('seen', '1');
    res.send('ok');
  });
};
