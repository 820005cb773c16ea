const express = require('express');
const cookieParser = require('cookie-parser');
const app = express();
app.use(cookieParser());
app.get('/', (req, res) => { res.cookie('a', '1'); res.redirect(req.query.next); });
app.listen(3000);
