var API = '/api';
var ORIGIN = window.location.origin;
function show(id) {
  return function (r) {
    return r.json().then(function (d) { document.getElementById(id).textContent = d.length === 2 ? 'yes' : 'wrong'; });
  };
}
function blocked(id) {
  return function () { document.getElementById(id).textContent = 'blocked'; };
}
fetch(API + '/items').then(show('api'), blocked('api'));
fetch(ORIGIN + '/api/items').then(show('origin'), blocked('origin'));
fetch(`${location.origin}/api/items`).then(show('template'), blocked('template'));
var proto = location.protocol === 'https:' ? 'wss://' : 'ws://';
var ws = new WebSocket(proto + location.host + '/live');
ws.onopen = function () { document.getElementById('ws').textContent = 'yes'; };
ws.onerror = function () { document.getElementById('ws').textContent = 'blocked'; };
