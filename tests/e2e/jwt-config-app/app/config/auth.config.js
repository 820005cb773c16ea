module.exports = {
  secret: "bezkoder-secret-key",
  jwtExpiration: 3600,
};
