// The MERN development layout: outside production, webpack's dev middleware builds the front end in memory and
// serves it under /dist/ (webpack.config.js: mode development, no devtool, so each module is wrapped in eval()).
const path = require('path');
const express = require('express');

const app = express();
if (process.env.NODE_ENV !== 'production') {
  const webpack = require('webpack');
  const webpackDevMiddleware = require('webpack-dev-middleware');
  const config = require('./webpack.config');
  app.use(webpackDevMiddleware(webpack(config), { publicPath: config.output.publicPath }));
}
app.use(express.static(path.join(__dirname, 'public')));

const server = app.listen(process.env.PORT || 3000, () => {
  console.log(`listening on ${server.address().port}`);
});
