fetch('THIRD_PARTY/hello.json')
  .then(function (response) { return response.json(); })
  .then(function (data) { document.getElementById('api').textContent = data.hello; });
