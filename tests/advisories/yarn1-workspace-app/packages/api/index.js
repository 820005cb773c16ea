const bp=require('body-parser'); const cp=require('cookie-parser'); module.exports=(app)=>{app.use(bp.urlencoded()); app.use(cp()); app.get('/:id',(q,s)=>s.cookie('a','b'))};
