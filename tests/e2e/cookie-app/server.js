const express = require('express');
const session = require('express-session');

const port = process.env.PORT;
if (!port) {
  console.error('PORT is not set: run as PORT=3000 node server.js');
  process.exit(1);
}

const app = express();

app.use(session({
  secret: 'keyboard cat',
}));

app.get('/login', (req, res) => {
  const user = String(req.query.user || '');
  if (!user) {
    return res.status(400).json({ error: 'user is required' });
  }
  req.session.user = user;
  res.cookie('remember_token', 'abc');
  res.json({ user });
});

app.get('/me', (req, res) => {
  res.json({ user: req.session.user || null });
});

app.get('/theme', (req, res) => {
  res.cookie('theme', 'dark');
  res.json({ theme: 'dark' });
});

app.listen(port, () => {
  console.log(`listening on ${port}`);
});
