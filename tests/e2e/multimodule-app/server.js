const express = require('express');
const session = require('express-session');
const sessionOptions = require('./config/session');
const routes = require('./routes');

const app = express();
require('./config/express')(app);
app.use(session(sessionOptions));
routes(app);

const port = process.env.PORT || 3000;
app.listen(port, () => console.log(`listening on ${port}`));
