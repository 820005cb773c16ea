$.getJSON('API_ORIGIN/items', function (items) {
  $('#jquery').text('items ' + items.length);
});
axios.get('API_ORIGIN/items').then(function (res) {
  document.getElementById('axios').textContent = 'items ' + res.data.length;
});
var socket = io('API_ORIGIN');
function done(transport) {
  document.getElementById('socket').textContent = transport;
  socket.disconnect();
}
socket.on('connect', function () {
  socket.io.engine.on('upgrade', function (transport) { done(transport.name); });
  // (An upgrade that never comes: the socket stays on HTTP polling.)
  setTimeout(function () { if (socket.connected) done(socket.io.engine.transport.name); }, 1500);
});
socket.on('connect_error', function () { socket.disconnect(); });
