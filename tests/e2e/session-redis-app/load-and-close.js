// What a test runner does: load the app, serve, close the server; the process must then exit by itself.
const app = require('./app');

const server = app.listen(0, () => server.close(() => console.log('closed')));
