// The MERN layout: the API, and the React front end's build (client/build, made by `npm run build` in client/).
const path = require('path');
const express = require('express');

const app = express();
app.use(express.json());
app.get('/api/items', (req, res) => res.json([1, 2, 3]));

app.use(express.static(path.join(__dirname, 'client/build')));
app.get('*', (req, res) => res.sendFile(path.join(__dirname, 'client/build', 'index.html')));

const server = app.listen(process.env.PORT || 5000, () => {
  console.log(`listening on ${server.address().port}`);
});
