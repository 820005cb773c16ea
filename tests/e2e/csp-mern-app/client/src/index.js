document.getElementById('root').innerHTML = '<p id="app">app rendered</p>';
