const path = require('path');
const express = require('express');

const app = express();
app.set('view engine', 'ejs');
app.set('view options', { rmWhitespace: true });
app.locals.cdn = process.env.CDN_URL || 'https://cdn.example.com';
app.use(express.static(path.join(__dirname, 'public')));

app.get('/', (req, res) => res.render('index'));
app.get('/checkout', (req, res) => res.render('checkout'));

// A status badge other sites show.
app.get('/badge.svg', (req, res) => {
  res.set('Access-Control-Allow-Origin', '*');
  res.type('svg').send('<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><rect width="20" height="20"/></svg>');
});

const server = app.listen(process.env.PORT || 3000, () => {
  console.log(`listening on ${server.address().port}`);
});
