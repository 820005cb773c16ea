// A page whose inline script and handler carry request data: their text changes with each request, so no hash can
// allow them.
module.exports = function greeting(req, res) {
  const name = JSON.stringify(String(req.query.name || 'world')).replace(/</g, '\\u003c');
  const plain = String(req.query.name || 'world').replace(/[^\w ]/g, '');
  res.send(`<!DOCTYPE html>
<title>greeting</title>
<p id="script">no</p>
<p id="handler">no</p>
<button id="go" onclick="document.getElementById('handler').textContent = 'bye ${plain}'">go</button>
<script>
  document.getElementById('script').textContent = 'hello ' + ${name};
  document.getElementById('go').click();
</script>`);
};
