const express = require('express');
const session = require('express-session');

function requiredSecret(name) {
  let value = process.env[name];
  if (!value) {
    if (process.env.NODE_ENV === 'production') {
      throw new Error(`${name} must be set in production`);
    }
    value = require('crypto').randomBytes(32).toString('hex');
    process.env[name] = value;
    console.warn(`${name} is not set: using a random value until the app restarts`);
  }
  return value;
}

const port = process.env.PORT;
if (!port) {
  console.error('PORT is not set: run as PORT=3000 node server.js');
  process.exit(1);
}

const app = express();
app.set('trust proxy', 1);

app.use(session({
  secret: requiredSecret('SESSION_SECRET'),
  name: 'sid',
  resave: false,
  saveUninitialized: false,
  cookie: {
    httpOnly: true,
    secure: process.env.NODE_ENV === 'production',
    sameSite: 'lax',
  },
}));

app.get('/login', (req, res) => {
  const user = String(req.query.user || '');
  if (!user) {
    return res.status(400).json({ error: 'user is required' });
  }
  req.session.user = user;
  res.cookie('remember_token', 'abc', { httpOnly: true, secure: process.env.NODE_ENV === 'production', sameSite: 'lax' });
  res.json({ user });
});

app.get('/me', (req, res) => {
  res.json({ user: req.session.user || null });
});

app.get('/theme', (req, res) => {
  res.cookie('theme', 'dark', { secure: process.env.NODE_ENV === 'production', sameSite: 'lax' });
  res.json({ theme: 'dark' });
});

app.listen(port, () => {
  console.log(`listening on ${port}`);
});
