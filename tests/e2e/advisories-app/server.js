const express = require('express');
const bodyParser = require('body-parser');
const cookieParser = require('cookie-parser');

const port = process.env.PORT;
if (!port) {
  console.error('PORT is not set: run as PORT=3000 node server.js');
  process.exit(1);
}

const app = express();
app.set('view engine', 'ejs');
app.use(bodyParser.urlencoded({ extended: false }));
app.use(cookieParser());

app.get('/', (req, res) => {
  res.cookie('seen', '1');
  res.render('index', { name: req.cookies.name || 'world' });
});

app.post('/echo', (req, res) => {
  res.render('index', { name: req.body.name });
});

app.listen(port, () => {
  console.log(`listening on ${port}`);
});
