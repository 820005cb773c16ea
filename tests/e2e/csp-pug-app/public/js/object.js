window.addEventListener('load', function () {
  var diagram = document.getElementById('diagram');
  document.getElementById('object').textContent = diagram.contentDocument ? 'yes' : 'blocked';
});
