// The same app for a project that already talks to PostgreSQL through a pg Pool in this file.
const express = require('express');
const session = require('express-session');
const { Pool } = require('pg');

const port = process.env.PORT;
if (!port) {
  console.error('PORT is not set: run as PORT=3000 DATABASE_URL=postgres://... node pool-server.js');
  process.exit(1);
}

const pool = new Pool({ connectionString: process.env.DATABASE_URL });

const app = express();

app.use(session({
  secret: process.env.SESSION_SECRET || 'dev-secret',
  resave: false,
  saveUninitialized: false,
}));

app.get('/db', async (req, res, next) => {
  try {
    const { rows } = await pool.query('SELECT 1 + 1 AS two');
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
