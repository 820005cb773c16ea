import type { Request, Response } from 'express';

const names: Record<string, string> = { '1': 'Ada', '2': 'Grace' };

export const show = (req: Request, res: Response): void => {
  const name = names[req.params.id.trim()];
  if (!name) {
    res.sendStatus(404);
    return;
  }
  res.json({ id: req.params.id, name });
};
