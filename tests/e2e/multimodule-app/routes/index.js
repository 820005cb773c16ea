const customers = require('../controllers/customers');
const auth = require('../controllers/auth');

module.exports = function (app) {
  app.get('/customers/:id', customers.show);
  app.post('/customers', customers.create);
  app.del('/customers/:id', customers.remove);
  app.get('/files/*', customers.file);
  app.get('/login', auth.login);
  app.get('/me', auth.me);
  app.get('/logout', auth.logout);
};
