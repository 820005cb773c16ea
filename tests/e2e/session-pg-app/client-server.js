// The same app for a project that talks to PostgreSQL through one pg Client in this file, connected at start.
const express = require('express');
const session = require('express-session');
const pg = require('pg');

const port = process.env.PORT;
if (!port) {
  console.error('PORT is not set: run as PORT=3000 DATABASE_URL=postgres://... node client-server.js');
  process.exit(1);
}

const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
client.connect();

const app = express();

app.use(session({
  secret: process.env.SESSION_SECRET || 'dev-secret',
  resave: false,
  saveUninitialized: false,
}));

app.get('/db', async (req, res, next) => {
  try {
    const { rows } = await client.query('SELECT 1 + 1 AS two');
    res.json(rows[0]);
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
