import express, { Request, Response } from 'express';

const app = express();

app.get('/', (req: Request, res: Response) => {
  res.json({ hello: 'world' });
});

const port = Number(process.env.PORT) || 3000;
app.listen(port, () => {
  console.log(`listening on ${port}`);
});

export default app;
