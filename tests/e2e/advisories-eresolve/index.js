require('body-parser').json();
