const c=require('cookie-parser'); module.exports=(req,res)=>res.cookie('a','b');
