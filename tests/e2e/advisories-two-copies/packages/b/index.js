const c=require('cookie'); console.log(c.serialize('a','b'));
