const crypto = require('crypto');
const express = require('express');

const port = process.env.PORT;
if (!port) {
  console.error('PORT is not set: run as PORT=3000 node server.js');
  process.exit(1);
}

const app = express();
const users = new Map();

app.use(express.static('public'));

app.get('/login', (req, res) => {
  const user = String(req.query.user || 'guest');
  const token = crypto.randomBytes(16).toString('hex');
  users.set(token, user);
  // The page's script sends this token as a bearer header: it must be able to read it.
  res.cookie('jwt', token, { maxAge: 3600000 });
  // Nothing on the page reads this one.
  res.cookie('session_id', crypto.randomBytes(16).toString('hex'));
  res.redirect('/');
});

app.get('/api/me', (req, res) => {
  const token = String(req.get('authorization') || '').replace(/^Bearer /, '');
  const user = users.get(token);
  if (!user) {
    return res.status(401).json({ error: 'not signed in' });
  }
  res.json({ user });
});

app.listen(port, () => {
  console.log(`listening on ${port}`);
});
