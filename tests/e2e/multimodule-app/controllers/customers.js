const customers = { 1: { id: 1, name: 'Ada' }, 2: { id: 2, name: 'Grace' } };

exports.show = function (req, res) {
  const customer = customers[req.params.id];
  if (!customer) return res.send(404);
  res.send(200, customer);
};

exports.create = function (req, res) {
  res.json({ created: req.body.name }, 201);
};

exports.remove = function (req, res) {
  res.json({ deleted: req.params.id }, 200);
};

exports.file = function (req, res) {
  res.send('file ' + req.params[0]);
};
