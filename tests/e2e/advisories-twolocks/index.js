require('@pm2/agent'); const bp = require('body-parser'); bp.urlencoded();
