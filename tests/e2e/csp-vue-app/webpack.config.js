const path = require('path');

module.exports = {
  entry: './src/main.js',
  output: { path: path.resolve(__dirname, 'public/js'), filename: 'bundle.js' },
  resolve: {
    alias: {
      vue$: 'vue/dist/vue.esm.js',
    },
  },
};
