// A page whose Vue app compiles its in-DOM template: webpack.config.js aliases vue to its full build (the bundle is
// stood in for by Vue's own full build, served from the package, and the entry's code).
const path = require('path');
const express = require('express');

const app = express();
app.use(express.static(path.join(__dirname, 'public')));
app.get('/js/bundle.js', (req, res) => res.sendFile(path.join(__dirname, 'node_modules/vue/dist/vue.min.js')));

const server = app.listen(process.env.PORT || 3000, () => {
  console.log(`listening on ${server.address().port}`);
});
