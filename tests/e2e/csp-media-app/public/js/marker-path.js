// Markers whose icons come from CDNs the script names: the default icons' folder, and an icon of its own.
L.Icon.Default.imagePath = 'https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/images/';
var map = L.map('map').setView([0, 0], 1);
var pin = L.icon({ iconUrl: 'https://cdnjs.cloudflare.com/ajax/libs/leaflet/1.9.4/images/marker-icon-2x.png' });
[['default-icon', L.marker([0, 0])], ['own-icon', L.marker([1, 1], { icon: pin })]].forEach(function (pair) {
  var shown = document.getElementById(pair[0]);
  var icon = pair[1].addTo(map).getElement();
  icon.addEventListener('load', function () { shown.textContent = 'yes'; });
  icon.addEventListener('error', function () { shown.textContent = 'blocked'; });
});
