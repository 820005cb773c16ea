const cp=require('cookie-parser');
