require('mid');
