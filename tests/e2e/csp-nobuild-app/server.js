const path = require('path');
const express = require('express');

const app = express();
app.use(express.static(path.join(__dirname, 'public')));
app.get('/greeting', (req, res) => res.send('<li>hello</li>'));

const server = app.listen(process.env.PORT || 3000, () => {
  console.log(`listening on ${server.address().port}`);
});
