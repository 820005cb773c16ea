// What an upload form does with the chosen file: show it from an object URL.
var bytes = atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==');
var data = new Uint8Array(bytes.length);
for (var i = 0; i < bytes.length; i++) data[i] = bytes.charCodeAt(i);
var preview = document.getElementById('preview');
var shown = document.getElementById('preview-status');
preview.onload = function () { shown.textContent = 'yes'; };
preview.onerror = function () { shown.textContent = 'blocked'; };
preview.src = URL.createObjectURL(new Blob([data], { type: 'image/png' }));
