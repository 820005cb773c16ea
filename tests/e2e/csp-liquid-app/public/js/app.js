document.getElementById('file').textContent = 'yes';
