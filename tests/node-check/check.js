// Whether Node accepts each file, as `node --check FILE` would: one process for many files.
//
//   node --experimental-vm-modules --no-warnings check.js LIST [--exact]
//
// LIST holds one path a line. Prints one JSON line per file: {"file": ..., "ok": true} or {"file": ..., "ok": false,
// "message": ...}. A file is compiled in this process (CommonJS as a function body with the module wrapper's
// parameters, ES modules with vm.SourceTextModule: `.mjs`, or `.js` under a package.json with "type": "module");
// any file that fails so is checked again with `node --check`, whose verdict is the one printed (the in-process
// compile is stricter: a CommonJS file may redeclare `require` with `let`). With --exact, every file is checked with
// `node --check`.
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');
const os = require('os');
const { execFile } = require('child_process');

const [listFile, flag] = process.argv.slice(2);
const exact = flag === '--exact';
const files = fs.readFileSync(listFile, 'utf8').split('\n').filter(Boolean);

function packageType(file) {
  for (let dir = path.dirname(path.resolve(file)); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      try {
        return JSON.parse(fs.readFileSync(manifest, 'utf8')).type || 'commonjs';
      } catch {
        return 'commonjs';
      }
    }
    if (path.dirname(dir) === dir) return 'commonjs';
  }
}

function isModule(file) {
  if (file.endsWith('.mjs')) return true;
  if (file.endsWith('.cjs')) return false;
  return packageType(file) === 'module';
}

function compiles(file) {
  let code = fs.readFileSync(file, 'utf8');
  if (code.charCodeAt(0) === 0xfeff) code = code.slice(1);
  if (code.startsWith('#!')) code = '//' + code.slice(2);
  try {
    if (isModule(file)) {
      new vm.SourceTextModule(code, { identifier: file });
    } else {
      vm.compileFunction(code, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: file });
    }
    return true;
  } catch {
    return false;
  }
}

function nodeCheck(file) {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--check', file], { encoding: 'utf8' }, (error, _stdout, stderr) => {
      if (!error) return resolve({ file, ok: true });
      const line = (stderr || '').split('\n').find((l) => /Error/.test(l)) || stderr || String(error);
      resolve({ file, ok: false, message: line.trim() });
    });
  });
}

async function main() {
  const results = new Array(files.length);
  const pending = [];
  files.forEach((file, i) => {
    if (!exact && compiles(file)) results[i] = { file, ok: true };
    else pending.push(i);
  });
  // The `node --check` runs, a few at a time.
  const workers = Array.from({ length: Math.max(1, Math.min(4, os.cpus().length)) }, async () => {
    while (pending.length > 0) {
      const i = pending.shift();
      results[i] = await nodeCheck(files[i]);
    }
  });
  await Promise.all(workers);
  for (const result of results) process.stdout.write(JSON.stringify(result) + '\n');
}

main();
