// The app's own Redis client (node-redis 4 and later), which it uses for other things than sessions.
const { createClient } = require('redis');

const client = createClient({ url: process.env.REDIS_URL });
client.on('error', (err) => console.error('cache:', err.message));
client.connect().catch(() => {});

module.exports = client;
