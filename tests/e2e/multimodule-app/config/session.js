module.exports = {
  secret: 'keyboard cat',
  resave: true,
  saveUninitialized: true,
  cookie: { maxAge: 60 * 60 * 1000 }
};
