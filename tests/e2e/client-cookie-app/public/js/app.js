// Reads the token cookie and calls the API with it, as single-page front ends do.
function getCookie(name) {
  const match = document.cookie.match(new RegExp('(?:^|; )' + name + '=([^;]*)'));
  return match ? decodeURIComponent(match[1]) : null;
}

const token = getCookie('jwt');
if (token) {
  const request = new XMLHttpRequest();
  request.open('GET', '/api/me', false);
  request.setRequestHeader('Authorization', 'Bearer ' + token);
  request.send();
  document.getElementById('who').textContent =
    request.status === 200 ? JSON.parse(request.responseText).user : 'refused';
} else {
  document.getElementById('who').textContent = 'no token';
}
// Every cookie the page can see, by name (for the test: which ones httpOnly hides).
document.getElementById('cookies').textContent = document.cookie
  .split('; ')
  .map((pair) => pair.split('=')[0])
  .sort()
  .join(',');
