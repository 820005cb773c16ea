const express = require('express');
const session = require('express-session');
const cache = require('./lib/redis');

const app = express();
app.use(session({ secret: process.env.SESSION_SECRET || 'dev-secret', resave: false, saveUninitialized: true }));

// Counts one browser's visits: every request reads and writes its session.
app.get('/visits', (req, res) => {
  req.session.visits = (req.session.visits || 0) + 1;
  res.json({ visits: req.session.visits });
});

// The app's own use of its Redis client. (node-redis 4+ returns a promise, node-redis 2 and 3 take a callback,
// ioredis does both.)
app.get('/hits', (req, res, next) => {
  new Promise((resolve, reject) => {
    const reply = cache.incr('hits', (err, hits) => (err ? reject(err) : resolve(hits)));
    if (reply && reply.then) reply.then(resolve, reject);
  }).then((hits) => res.json({ hits: Number(hits) }), next);
});

module.exports = app;
