const express = require('express');
const session = require('express-session');

const port = process.env.PORT;
if (!port) {
  console.error('PORT is not set: run as PORT=3000 DATABASE_URL=postgres://... node server.js');
  process.exit(1);
}

const app = express();

app.use(session({
  secret: process.env.SESSION_SECRET || 'dev-secret',
  resave: false,
  saveUninitialized: false,
}));

// Counts the visits of this session.
app.get('/count', (req, res) => {
  req.session.count = (req.session.count || 0) + 1;
  res.json({ count: req.session.count });
});

app.get('/me', (req, res) => {
  res.json({ count: req.session.count || 0 });
});

app.listen(port, () => {
  console.log(`listening on ${port}`);
});
