const express = require('express');

const app = express();
app.get('/', (req, res) => res.send(`hello ${req.query.name}`));
app.listen(3000);
