// liquidjs's documented Express setup: its engine registered for .liquid views.
const path = require('path');
const express = require('express');
const { Liquid } = require('liquidjs');

const app = express();
app.use(express.static(path.join(__dirname, 'public')));
const engine = new Liquid();
app.engine('liquid', engine.express());
app.set('views', path.join(__dirname, 'views'));
app.set('view engine', 'liquid');

app.get('/', (req, res) => res.render('index', { user: 'Ann' }));

const server = app.listen(process.env.PORT || 3000, () => {
  console.log(`listening on ${server.address().port}`);
});
