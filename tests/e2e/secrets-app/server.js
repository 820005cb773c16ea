const express = require('express');
const cookieSession = require('cookie-session');
const jwt = require('jsonwebtoken');

const app = express();

app.use(cookieSession({
  name: 'session',
  secret: 'keyboard cat',
}));

// Signs the visitor in twice: in the session cookie, and in a token for the API.
app.get('/login', (req, res) => {
  req.session.user = String(req.query.user || 'guest');
  const token = jwt.sign({ user: req.session.user }, 'change-me');
  res.json({ user: req.session.user, token });
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

// The tests choose the port (PORT); `listening on` tells them the app is up.
const port = Number(process.env.PORT || 3000);
app.listen(port, () => console.log(`listening on ${port}`));
