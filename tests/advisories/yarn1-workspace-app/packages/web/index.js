require('request'); const qs=require('qs'); qs.parse('a=b');
