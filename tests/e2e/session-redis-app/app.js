const express = require('express');
const session = require('express-session');

const app = express();

app.use(session({
  secret: process.env.SESSION_SECRET || 'dev-secret',
  resave: false,
  saveUninitialized: false,
}));

app.get('/login', (req, res) => {
  req.session.user = String(req.query.user || 'anonymous');
  res.json({ user: req.session.user });
});

app.get('/me', (req, res) => {
  res.json({ user: req.session.user || null });
});

module.exports = app;
