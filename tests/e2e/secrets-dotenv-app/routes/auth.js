import { Router } from 'express';
import jwt from 'jsonwebtoken';

const router = Router();

// The JWT secret is read when a request comes, after server.js has loaded .env.
router.get('/login', (req, res) => {
  req.session.user = String(req.query.user || 'guest');
  res.json({ token: jwt.sign({ user: req.session.user }, process.env.JWT_SECRET || 'change-me') });
});

router.get('/me', (req, res) => {
  res.json({ user: (req.session && req.session.user) || null });
});

router.get('/api/me', (req, res) => {
  try {
    const payload = jwt.verify(String(req.query.token || ''), process.env.JWT_SECRET || 'change-me');
    res.json({ user: payload.user });
  } catch (err) {
    res.status(401).json({ error: err.message });
  }
});

export default router;
