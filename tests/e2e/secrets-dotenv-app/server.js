// The usual ES module entry: its imports (routes/auth.js among them) run before dotenv.config() loads .env.
import express from 'express';
import dotenv from 'dotenv';
import cookieSession from 'cookie-session';
import auth from './routes/auth.js';

dotenv.config();

const app = express();

app.use(cookieSession({
  name: 'session',
  secret: process.env.SESSION_SECRET || 'keyboard cat',
}));
app.use(auth);

// The tests choose the port (PORT); `listening on` tells them the app is up.
const port = Number(process.env.PORT || 3000);
app.listen(port, () => console.log(`listening on ${port}`));
