// What an upload form does with the chosen files: an image shown through setAttribute, an HTML invoice in an
// <iframe> and an SVG drawing in an <object>, each from an object URL.
var bytes = atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==');
var data = new Uint8Array(bytes.length);
for (var i = 0; i < bytes.length; i++) data[i] = bytes.charCodeAt(i);
var photo = document.getElementById('photo');
photo.onload = function () { document.getElementById('attr').textContent = 'yes'; };
photo.onerror = function () { document.getElementById('attr').textContent = 'blocked'; };
photo.setAttribute('src', URL.createObjectURL(new Blob([data], { type: 'image/png' })));

// (A blocked frame or object shows the browser's error page, whose document the page cannot read.)
function shows(element, id, text) {
  var doc = null;
  try {
    doc = element.contentDocument;
  } catch (e) {
    doc = null;
  }
  document.getElementById(id).textContent = doc && doc.documentElement.textContent.indexOf(text) >= 0 ? 'yes' : 'blocked';
}
var invoiceFrame = document.getElementById('invoice');
invoiceFrame.onload = function () { shows(invoiceFrame, 'frame', 'invoice'); };
invoiceFrame.src = URL.createObjectURL(new Blob(['<p>invoice</p>'], { type: 'text/html' }));
var svg = '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50"><text y="20">drawing</text></svg>';
var drawing = document.getElementById('drawing');
drawing.data = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
window.addEventListener('load', function () { shows(drawing, 'blob-object', 'drawing'); });
