const config = require("../config/auth.config");
const jwt = require("jsonwebtoken");

exports.signin = (req, res) => {
  const token = jwt.sign({ id: String(req.query.id || "guest") }, config.secret, {
    expiresIn: config.jwtExpiration,
  });
  res.status(200).send({ accessToken: token });
};
