document.getElementById('pay').submit();
