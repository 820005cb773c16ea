import express, { Request, Response } from 'express';
import * as customers from './controllers/customers';

const app = express();

const shout = (word: string): string => word.toUpperCase();

app.get('/users/:name', (req: Request, res: Response) => {
  res.send('hello ' + shout(req.params.name));
});

app.get('/posts/:id/:format?', function (req: Request, res: Response) {
  const { id, format } = req.params;
  res.send(shout(id) + ' as ' + (format ?? 'html'));
});

app.get('/files/*', (req: express.Request, res: Response) => {
  res.send('file ' + req.params[0]);
});

app.get('/customers/:id', customers.show);

const port = Number(process.env.PORT || 3000);
app.listen(port, () => console.log(`listening on ${port}`));
