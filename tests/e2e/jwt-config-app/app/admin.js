const jwt = require("jsonwebtoken");

// Admin tokens: a secret of their own, so that a user's token is no admin's.
exports.issue = (id) => jwt.sign({ id, admin: true }, "admin-s3cret", { expiresIn: "10m" });
exports.check = (token) => jwt.verify(token, "admin-s3cret");
