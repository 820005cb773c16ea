// The same app for a project whose pg-promise database is made in another module (promise-db.js) and required here.
const express = require('express');
const session = require('express-session');
const db = require('./promise-db');

const port = process.env.PORT;
if (!port) {
  console.error('PORT is not set: run as PORT=3000 DATABASE_URL=postgres://... node promise-server.js');
  process.exit(1);
}

const app = express();

app.use(session({
  secret: process.env.SESSION_SECRET || 'dev-secret',
  resave: false,
  saveUninitialized: false,
}));

app.get('/db', async (req, res, next) => {
  try {
    res.json(await db.one('SELECT 1 + 1 AS two'));
  } catch (err) {
    next(err);
  }
});

// Counts the visits of this session.
app.get('/count', (req, res) => {
  req.session.count = (req.session.count || 0) + 1;
  res.json({ count: req.session.count });
});

app.listen(port, () => {
  console.log(`listening on ${port}`);
});
