exports.login = function (req, res) {
  req.session.user = req.query.user;
  res.cookie('theme', 'dark', { maxAge: 24 * 60 * 60 * 1000 });
  res.json({ user: req.session.user });
};

exports.me = function (req, res) {
  res.json({ user: req.session.user || null });
};

exports.logout = function (req, res) {
  req.session.destroy(function () {
    res.redirect('back');
  });
};
