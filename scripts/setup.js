#!/usr/bin/env node
// The project's install step for its servers: the Temporal CLI (dev server) and the Java
// time-skipping test server, cached per machine. npm packages come from `npm ci`/`npm install`.
'use strict';
const { temporalCli, testServer } = require('./tools');

try {
  temporalCli();
  if (!process.argv.includes('--no-test-server')) testServer();
} catch (error) {
  console.error(`[setup] ${error.toolsFailure ? error.message : error.stack}`);
  process.exit(1);
}
