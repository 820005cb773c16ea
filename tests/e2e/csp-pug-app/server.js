// A Pug view whose raw HTML lines (Pug passes them through) embed the app's own SVG in an <object> and preview an
// image from an object URL.
const path = require('path');
const express = require('express');

const app = express();
app.set('views', path.join(__dirname, 'views'));
app.set('view engine', 'pug');
app.use(express.static(path.join(__dirname, 'public')));
app.get('/', (req, res) => res.render('index'));

const server = app.listen(process.env.PORT || 3000, () => {
  console.log(`listening on ${server.address().port}`);
});
