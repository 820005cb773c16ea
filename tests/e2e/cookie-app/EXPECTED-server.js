const express = require('express');
const session = require('express-session');

function requiredSecret(name) {
  const value = process.env[name];
  if (value) return value;
  if (process.env.NODE_ENV === 'production') {
    throw new Error(`${name} must be set in production`);
  }
  const fs = require('fs');
  const crypto = require('crypto');
  const shared = Symbol.for('express-harden.dev-secrets');
  if (!globalThis[shared]) {
    const dir = `${process.cwd()}/.express-harden`;
    const file = `${dir}/.dev-secret`;
    let key = crypto.randomBytes(32).toString('hex');
    let where;
    try {
      if (!fs.existsSync(file)) {
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        fs.writeFileSync(`${dir}/.gitignore`, '*\n');
        const temp = `${file}.${process.pid}`;
        fs.writeFileSync(temp, key, { mode: 0o600 });
        try {
          fs.linkSync(temp, file);
        } catch (error) {
          if (error.code !== 'EEXIST') throw error;
        } finally {
          fs.unlinkSync(temp);
        }
      }
      key = fs.readFileSync(file, 'utf8');
      where = `kept in ${file}`;
    } catch (error) {
      where = `that changes when the app restarts (cannot keep it in ${file}: ${error.message})`;
    }
    globalThis[shared] = { key, where, names: {} };
  }
  const dev = globalThis[shared];
  if (!dev.names[name]) {
    dev.names[name] = crypto.createHmac('sha256', dev.key).update(name).digest('hex');
    console.warn(`${name} is not set: using a development secret ${dev.where}`);
  }
  return dev.names[name];
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
