const bp=require('body-parser'); module.exports=(app)=>app.use(bp.urlencoded());
