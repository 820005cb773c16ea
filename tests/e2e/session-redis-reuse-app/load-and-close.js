// What a test runner does: load the app, serve, then close the server and the app's own Redis client once it has
// connected or failed to (as an `afterAll` would); the process must then exit by itself.
const app = require('./app');
const cache = require('./lib/redis');

// node-redis 4+ and ioredis disconnect; node-redis 2 and 3 end.
function closeClient() {
  if (typeof cache.disconnect === 'function') Promise.resolve().then(() => cache.disconnect()).catch(() => {});
  else cache.end(true);
}

const server = app.listen(0, () =>
  server.close(() => {
    // (node-redis 4+: isReady; node-redis 2 and 3: ready; ioredis: status.)
    if (cache.isReady || cache.ready === true || cache.status === 'ready') return closeClient();
    const settled = () => {
      cache.off('ready', settled).off('error', settled);
      closeClient();
    };
    cache.on('ready', settled).on('error', settled);
  }),
);
