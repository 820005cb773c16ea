// A page whose inline script and handler carry request data (their text changes with each request, so no hash can
// allow them), with a javascript: link.
module.exports = function greeting(req, res) {
  const name = JSON.stringify(String(req.query.name || 'world')).replace(/</g, '\\u003c');
  const plain = String(req.query.name || 'world').replace(/[^\w ]/g, '');
  res.send(`<!DOCTYPE html>
<title>greeting</title>
<p id="script">no</p>
<p id="handler">no</p>
<p id="link">no</p>
<button id="go" onclick="document.getElementById('handler').textContent = 'bye ${plain}'">go</button>
<a id="follow" href="javascript:void(document.getElementById('link').textContent = 'followed')">follow</a>
<script>
  document.getElementById('script').textContent = 'hello ' + ${name};
  document.getElementById('go').click();
  document.getElementById('follow').click();
</script>`);
};
