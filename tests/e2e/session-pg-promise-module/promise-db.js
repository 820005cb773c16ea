// The pg-promise database of promise-module-server.js, made and exported by a module of its own.
const pgp = require('pg-promise')();

const db = pgp(process.env.DATABASE_URL);

module.exports = db;
