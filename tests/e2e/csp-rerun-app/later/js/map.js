var shown = document.getElementById('tiles');
var map = L.map('map').setView([0, 0], 1);
L.tileLayer('TILES/{z}/{x}/{y}.png', { subdomains: 'ab' })
  .on('tileload', function () { shown.textContent = 'yes'; })
  .on('tileerror', function () { if (shown.textContent === 'no') shown.textContent = 'blocked'; })
  .addTo(map);
