document.getElementById('home').textContent = 'yes';
