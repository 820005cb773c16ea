const express = require('express');
const cookieSession = require('cookie-session');
const jwt = require('jsonwebtoken');

const port = process.env.PORT;
if (!port) {
  console.error('PORT is not set: run as PORT=3000 node server.js');
  process.exit(1);
}

const app = express();

app.use(cookieSession({
  name: 'session',
  secret: 'keyboard cat',
}));

app.get('/login', (req, res) => {
  const user = String(req.query.user || '');
  if (!user) {
    return res.status(400).json({ error: 'user is required' });
  }
  req.session.user = user;
  res.json({ user, token: jwt.sign({ user }, 'change-me') });
});

app.get('/me', (req, res) => {
  res.json({ user: (req.session && req.session.user) || null });
});

app.get('/api/me', (req, res) => {
  try {
    const payload = jwt.verify(String(req.query.token || ''), 'change-me');
    res.json({ user: payload.user });
  } catch (err) {
    res.status(401).json({ error: err.message });
  }
});

app.listen(port, () => {
  console.log(`listening on ${port}`);
});
