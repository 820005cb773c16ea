// A marker with Leaflet's default icon, which Leaflet loads from the folder of its stylesheet.
var shown = document.getElementById('marker');
var map = L.map('map').setView([0, 0], 1);
var icon = L.marker([0, 0]).addTo(map).getElement();
icon.addEventListener('load', function () { shown.textContent = 'yes'; });
icon.addEventListener('error', function () { shown.textContent = 'blocked'; });
