// Says `yes` once the page has loaded with no image blocked by the Content-Security-Policy (the stylesheet's
// background from another host), `blocked` when one is.
var blocked = false;
function show(text) {
  document.getElementById('css').textContent = text;
}
document.addEventListener('securitypolicyviolation', function (e) {
  if (e.violatedDirective.indexOf('img-src') === 0) {
    blocked = true;
    show('blocked');
  }
});
window.addEventListener('load', function () {
  setTimeout(function () {
    if (!blocked) show('yes');
  }, 1000);
});
