const express = require('express');
const { Strategy } = require('passport-jwt');
const app = express();
app.get('/', (req, res) => res.send(typeof Strategy));
app.listen(3000);
