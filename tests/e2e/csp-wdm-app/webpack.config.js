const path = require('path');

module.exports = {
  mode: process.env.NODE_ENV === 'production' ? 'production' : 'development',
  entry: './src/index.js',
  output: { path: path.join(__dirname, 'public', 'dist'), filename: 'bundle.js', publicPath: '/dist/' },
};
