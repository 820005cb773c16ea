const cp=require('cookie-parser'); module.exports=cp;
