function show(id, text) { document.getElementById(id).textContent = text; }
window.addEventListener('message', function (e) { if (e.data === 'framed') show('frame', 'yes'); });
var iframe = document.createElement('iframe');
iframe.src = 'OTHER/embed?v=' + Date.now();
document.getElementById('player').appendChild(iframe);
var pixel = new Image();
pixel.onload = function () { show('pixel', 'yes'); };
pixel.src = 'OTHER/p.gif?e=' + encodeURIComponent(location.pathname);
import('OTHER/mod.js').then(function (m) { show('module', m.default); }, function () {});
var worker = new Worker('/js/worker.js');
var answered = false;
worker.onmessage = function (e) { answered = true; show('worker', e.data); };
// (A worker runs in real time, which a headless browser's virtual time does not wait for; virtual time does wait while
// a request is under way, so the page asks its own server again until the worker has answered.)
(function hold(i) {
  if (!answered && i < 300) fetch('/js/worker.js', { cache: 'no-store' }).then(function (r) { return r.text(); }).then(function () { hold(i + 1); });
})(0);
// (The smallest module: its magic number and version.)
WebAssembly.instantiate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])).then(function () { show('wasm', 'yes'); }, function () {});
// (An event handler set from a string: an inline handler, as one written in the markup.)
var button = document.createElement('button');
button.setAttribute('onclick', "show('attr', 'yes')");
document.body.appendChild(button);
button.click();
