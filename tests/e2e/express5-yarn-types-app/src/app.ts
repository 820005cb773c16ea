import express, { Request, Response } from 'express';
import session from 'express-session';

const app = express();
app.use(session({ secret: process.env.SESSION_SECRET as string, resave: false, saveUninitialized: false }));

app.get('/users/:id', (req: Request, res: Response) => {
  const id: string = req.params.id;
  res.send(id);
});

app.listen(3000);
