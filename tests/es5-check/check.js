// Whether each file is written in ES5 (ECMAScript 5.1) syntax, as acorn reads it with `ecmaVersion: 5` (or in the
// syntax of VERSION, an ECMAScript version such as 2019, when given).
//
//   node check.js LIST [VERSION]
//
// LIST holds one path a line. Prints one JSON line per file, as tests/node-check/check.js does: {"file": ..., "ok":
// true} or {"file": ..., "ok": false, "message": "acorn's message at \"the line it stopped at\""}.
'use strict';
const fs = require('fs');
const acorn = require('acorn');

const files = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean);
const ecmaVersion = process.argv[3] ? Number(process.argv[3]) : 5;
for (const file of files) {
  let code = fs.readFileSync(file, 'utf8');
  if (code.charCodeAt(0) === 0xfeff) code = code.slice(1);
  try {
    acorn.parse(code, { ecmaVersion, sourceType: 'script', allowHashBang: true });
    console.log(JSON.stringify({ file, ok: true }));
  } catch (error) {
    const line = error.loc ? code.split('\n')[error.loc.line - 1].trim() : '';
    console.log(JSON.stringify({ file, ok: false, message: `${error.message} at ${JSON.stringify(line)}` }));
  }
}
