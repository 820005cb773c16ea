const path = require('path');
const express = require('express');
const session = require('express-session');
const cookieParser = require('cookie-parser');

const users = require('./routes/users');
const { formatDate } = require('./lib/format');

const app = express();
const port = process.env.PORT || 3000;

app.set('views', path.join(__dirname, 'views'));
app.set('view engine', 'ejs');

app.use(express.urlencoded({ extended: false }));
app.use(cookieParser());
app.use(session({
  secret: 'keyboard cat',
  resave: false,
  saveUninitialized: true,
}));
app.use(express.static(path.join(__dirname, 'public')));

app.get('/', (req, res) => {
  req.session.views = (req.session.views || 0) + 1;
  res.render('index', {
    user: req.session.user,
    views: req.session.views,
    today: formatDate(new Date()),
  });
});

app.post('/login', (req, res) => {
  req.session.user = { name: req.body.name || 'guest' };
  if (req.body.remember) {
    res.cookie('remember_me', req.session.user.name, { maxAge: 30 * 24 * 60 * 60 * 1000 });
  }
  res.redirect('/');
});

app.post('/logout', (req, res) => {
  res.clearCookie('remember_me');
  req.session.destroy(() => res.redirect('/'));
});

app.use('/users', users);

app.listen(port, () => {
  console.log(`basic-app listening on http://localhost:${port}`);
});
