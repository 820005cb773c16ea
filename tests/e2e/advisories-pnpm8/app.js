const bp=require('body-parser'); bp.urlencoded();
