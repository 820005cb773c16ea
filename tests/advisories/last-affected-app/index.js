const n=require('nodemailer'); n.createTransport({}).sendMail({});
