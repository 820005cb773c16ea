// What a recorder's upload form does with the recording and its receipt: show each from an object URL, in elements
// the script names by variables that do not say what they are (a <video>, a <source> in a <video>, an <iframe>).
function wav() {
  var n = 800;
  var view = new DataView(new ArrayBuffer(44 + n));
  var text = function (at, s) { for (var i = 0; i < s.length; i++) view.setUint8(at + i, s.charCodeAt(i)); };
  text(0, 'RIFF'); view.setUint32(4, 36 + n, true); text(8, 'WAVE'); text(12, 'fmt ');
  view.setUint32(16, 16, true); view.setUint16(20, 1, true); view.setUint16(22, 1, true);
  view.setUint32(24, 8000, true); view.setUint32(28, 8000, true); view.setUint16(32, 1, true);
  view.setUint16(34, 8, true); text(36, 'data'); view.setUint32(40, n, true);
  for (var i = 0; i < n; i++) view.setUint8(44 + i, 128);
  return new Blob([view.buffer], { type: 'audio/wav' });
}
function status(id, element) {
  element.addEventListener('loadedmetadata', function () { document.getElementById(id).textContent = 'yes'; });
  element.addEventListener('error', function () { document.getElementById(id).textContent = 'blocked'; }, true);
}
var preview = document.getElementById('recording');
status('media', preview);
preview.src = URL.createObjectURL(wav());

var take = document.getElementById('take');
var source = document.getElementById('take-source');
status('source', take);
source.src = URL.createObjectURL(wav());
take.load();

// (A blocked frame shows the browser's error page, whose document the page cannot read.)
var pane = document.getElementById('receipt');
pane.onload = function () {
  var doc = null;
  try {
    doc = pane.contentDocument;
  } catch (e) {
    doc = null;
  }
  var shown = doc && doc.documentElement.textContent.indexOf('receipt') >= 0;
  document.getElementById('pane').textContent = shown ? 'yes' : 'blocked';
};
pane.src = URL.createObjectURL(new Blob(['<p>receipt</p>'], { type: 'text/html' }));
