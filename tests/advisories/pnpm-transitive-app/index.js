require('request');
