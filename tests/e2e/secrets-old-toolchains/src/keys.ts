const cookieParser = require('cookie-parser');

export const parse = cookieParser('s3cr3t value');
