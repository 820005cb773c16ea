#!/usr/bin/env node
// The express-harden command of the npm package: finds the package that holds the native binary for this OS, CPU
// and C library (one of the optionalDependencies, which npm installs only where os, cpu and libc match) and runs it
// with the same arguments, standard input, output and error; its exit code or signal becomes this process's.
// EXPRESS_HARDEN_BINARY names another binary to run instead (a cargo build, a binary from a release).
// No dependencies and no install script: everything happens when the command runs.
'use strict';

const { spawn } = require('node:child_process');
const os = require('node:os');
const platforms = require('../platforms.json');

/** Exit code of a launcher failure: the tool's own code for an error (1 would mean "changes are due"). */
const EXIT_ERROR = 2;

/** The C library on Linux: glibc when Node's own report names the glibc it runs on, else musl (Alpine). */
function libc() {
  if (process.platform !== 'linux') return undefined;
  try {
    // The network part of the report can take seconds (a reverse lookup per socket); it is not needed.
    if (process.report) process.report.excludeNetwork = true;
    const report = process.report && process.report.getReport();
    const header = report && (typeof report === 'string' ? JSON.parse(report) : report).header;
    return header && header.glibcVersionRuntime ? 'glibc' : 'musl';
  } catch {
    return 'glibc';
  }
}

/** The entry of platforms.json for this machine, and a description of the machine for messages. */
function platform() {
  const c = libc();
  const entry = platforms.find(
    (p) => p.os === process.platform && p.cpu === process.arch && (p.libc === undefined || p.libc === c)
  );
  const machine = `${process.platform} ${process.arch}${c ? ` (${c})` : ''}`;
  return { entry, machine };
}

/** The binary to run: EXPRESS_HARDEN_BINARY, else the one in this machine's platform package. Exits with a message
 * naming the package when it is not installed. */
function binary() {
  const override = process.env.EXPRESS_HARDEN_BINARY;
  if (override) return override;
  const { entry, machine } = platform();
  const version = require('../package.json').version;
  if (!entry) {
    fail(
      `express-harden: there is no prebuilt binary for ${machine} (the npm packages cover ` +
        `${platforms.map((p) => `${p.os} ${p.cpu}${p.libc ? ` (${p.libc})` : ''}`).join(', ')}). ` +
        `Install it with \`cargo install express-harden --version ${version}\` and set EXPRESS_HARDEN_BINARY to the ` +
        `binary it builds.`
    );
  }
  try {
    return require.resolve(`${entry.package}/${entry.binary}`);
  } catch {
    fail(
      `express-harden: the package ${entry.package}, which holds the binary for ${machine}, is not installed.\n` +
        `npm installs it with express-harden as an optional dependency for this platform; it was skipped ` +
        `(--omit=optional or --no-optional, a lockfile written on another platform, or an install that could not ` +
        `download it).\n` +
        `Install it: npm install --save-dev ${entry.package}@${version}\n` +
        `or set EXPRESS_HARDEN_BINARY to an express-harden binary.`
    );
  }
  return undefined;
}

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(EXIT_ERROR);
}

function main() {
  const program = binary();
  // A signal sent to this process (kill, a CI runner's timeout) goes to the tool too; Ctrl-C reaches both anyway,
  // as they share the terminal's process group. The handlers are in place before the tool starts.
  let child;
  const forwarded = process.platform === 'win32' ? ['SIGINT', 'SIGTERM'] : ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];
  const forward = (signal) => {
    try {
      child.kill(signal);
    } catch {
      // Already gone.
    }
  };
  for (const signal of forwarded) process.on(signal, forward);
  child = spawn(program, process.argv.slice(2), { stdio: 'inherit', windowsHide: false });
  child.on('error', (err) => {
    fail(`express-harden: could not run ${program}: ${err.message}`);
  });
  child.on('exit', (code, signal) => {
    for (const s of forwarded) process.off(s, forward);
    if (signal) {
      // Die of the same signal, so that the caller sees what the tool saw (a shell prints 128 + its number); should
      // Node ignore that signal, exit with the number a shell would show.
      process.exitCode = 128 + (os.constants.signals[signal] || 0);
      process.kill(process.pid, signal);
      return;
    }
    process.exit(code === null ? EXIT_ERROR : code);
  });
}

if (require.main === module) {
  main();
}

module.exports = { platform, libc };
