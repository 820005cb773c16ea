const express = require("express");
const { verifyToken } = require("./app/middlewares/authJwt");
const controller = require("./app/controllers/auth.controller");
const admin = require("./app/admin");

const app = express();

app.get("/api/auth/signin", controller.signin);
app.get("/api/test/user", verifyToken, (req, res) => res.send({ id: req.userId }));

app.get("/admin/signin", (req, res) => res.send({ accessToken: admin.issue(String(req.query.id || "root")) }));
app.get("/admin/me", (req, res) => {
  try {
    res.send({ id: admin.check(String(req.headers["x-access-token"] || "")).id });
  } catch (err) {
    res.status(401).send({ message: err.message });
  }
});

// The tests choose the port (PORT); `listening on` tells them the app is up.
const port = Number(process.env.PORT || 3000);
app.listen(port, () => console.log(`listening on ${port}`));
