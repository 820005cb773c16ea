var shown = document.getElementById('wms');
var map = L.map('map').setView([0, 0], 1);
L.tileLayer.wms('WMS/service?', { layers: 'OSM-WMS' })
  .on('tileload', function () { shown.textContent = 'yes'; })
  .on('tileerror', function () { if (shown.textContent === 'no') shown.textContent = 'blocked'; })
  .addTo(map);
