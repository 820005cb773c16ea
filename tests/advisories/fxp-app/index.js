const { XMLParser } = require('fast-xml-parser'); new XMLParser().parse('<a/>');
