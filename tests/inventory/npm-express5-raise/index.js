const express = require('express');

const app = express();
app.get('/a/:id', (req, res) => res.redirect('/b/' + req.params.id));
app.listen(3000);
