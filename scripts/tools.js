#!/usr/bin/env node
/*
 * Provides the two Temporal servers this project runs against, from the machine's own
 * toolchain and the package registries only, cached outside the clone so a fresh clone
 * on the same machine does not build again:
 *  - the official `temporal` CLI (dev server, SQLite, Web UI), built with `go install`;
 *  - Temporal's Java time-skipping test server, fetched from Maven Central.
 * Usage: node scripts/tools.js        (ensures both, prints their paths)
 */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const TEMPORAL_CLI_VERSION = 'v1.5.1';
// 1.38.0, not 1.31.0: when signals came in while a workflow completed on an update, 1.31 recorded
// the task as failed yet answered the worker as if it had succeeded; the worker's next task then
// carried messages the server did not expect and was refused for good (the update and the test hung:
// the CI of 7fca617). 1.38 answers such a task with an error, as the real server does.
const TEST_SERVER_VERSION = '1.38.0';
const cacheRoot = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'epi-ops');

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(name) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function fail(message) {
  const error = new Error(message);
  error.toolsFailure = true;
  throw error;
}

function run(command, args, options) {
  const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
  if (result.error) fail(`${command} could not run: ${result.error.message}`);
  if (result.status !== 0) fail(`${command} ${args.join(' ')} exited with ${result.status}`);
}

/** Path of a `temporal` CLI: $TEMPORAL_CLI, then PATH, then the cache (building it there if absent). */
function temporalCli({ build = true } = {}) {
  if (process.env.TEMPORAL_CLI) {
    if (!isExecutable(process.env.TEMPORAL_CLI)) fail(`TEMPORAL_CLI=${process.env.TEMPORAL_CLI} is not an executable file`);
    return process.env.TEMPORAL_CLI;
  }
  const found = onPath('temporal');
  if (found) return found;
  const bin = path.join(cacheRoot, 'temporal-cli', TEMPORAL_CLI_VERSION, 'bin');
  const cached = path.join(bin, 'temporal');
  if (isExecutable(cached)) return cached;
  if (!build) return undefined;
  goInstall({
    what: `temporal CLI ${TEMPORAL_CLI_VERSION}`,
    packages: [`github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`],
    bin,
    minutes: 3,
    missing: 'no Temporal CLI: set TEMPORAL_CLI, put `temporal` on PATH, or install Go >= 1.25 so it can be built',
  });
  if (!isExecutable(cached)) fail(`go install finished but ${cached} is missing`);
  return cached;
}

/**
 * Builds Go `packages` (each `path@version`) into `bin` with `go install`, from the Go module proxy only; `missing` is the message without Go.
 * Its build cache (1.4 GB for the CLI, 0.9 GB more for the server) is of no use once the binary is made, and the
 * disk may be shared and short: it goes to a folder of the build's own, removed afterwards. The module
 * cache is the machine's Go's own (GOMODCACHE), kept, so a second build downloads nothing.
 */
function goInstall({ what, packages, bin, minutes, missing }) {
  if (!onPath('go')) fail(missing);
  process.stderr.write(`[tools] building ${what} with go install (about ${minutes} minutes, once per machine)\n`);
  fs.mkdirSync(bin, { recursive: true });
  removeAbandonedBuilds(cacheRoot);
  const buildCache = path.join(cacheRoot, `go-build-${process.pid}`);
  fs.mkdirSync(buildCache, { recursive: true });
  try {
    run('go', ['install', '-ldflags=-s -w', ...packages], { env: { ...process.env, GOBIN: bin, GOFLAGS: '-mod=mod', GOCACHE: buildCache } });
  } finally {
    fs.rmSync(buildCache, { recursive: true, force: true });
  }
}

/**
 * Removes the build folders (`go-build-<pid>`) of builds whose process is gone: one killed outright
 * (SIGKILL) never reached its `finally`. A build still running keeps its folder.
 */
function removeAbandonedBuilds(root) {
  if (!fs.existsSync(root)) return;
  for (const name of fs.readdirSync(root)) {
    const pid = /^go-build-(\d+)$/.exec(name)?.[1];
    if (pid && !processAlive(Number(pid))) fs.rmSync(path.join(root, name), { recursive: true, force: true });
  }
}

function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return error.code === 'EPERM';
  }
}

/** Path of an executable that starts the time-skipping test server on the port given as $1. */
function testServer({ fetch = true } = {}) {
  if (process.env.TEMPORAL_TEST_SERVER) {
    if (!isExecutable(process.env.TEMPORAL_TEST_SERVER)) {
      fail(`TEMPORAL_TEST_SERVER=${process.env.TEMPORAL_TEST_SERVER} is not an executable file`);
    }
    return process.env.TEMPORAL_TEST_SERVER;
  }
  const dir = path.join(cacheRoot, 'temporal-test-server', TEST_SERVER_VERSION);
  const jars = path.join(dir, 'jars');
  const launcher = path.join(dir, 'test-server');
  if (isExecutable(launcher)) return launcher;
  if (!fetch) return undefined;
  if (!onPath('java')) fail('no Java for the Temporal test server: install a JDK >= 11 or set TEMPORAL_TEST_SERVER');
  if (!onPath('mvn')) fail('no Maven to fetch the Temporal test server: install Maven or set TEMPORAL_TEST_SERVER');
  process.stderr.write(`[tools] fetching temporal-test-server ${TEST_SERVER_VERSION} from Maven Central\n`);
  run('mvn', [
    '-q', '-B', '-f', path.join(__dirname, 'test-server', 'pom.xml'),
    `-Dtemporal.test.server.version=${TEST_SERVER_VERSION}`,
    'dependency:copy-dependencies', `-DoutputDirectory=${jars}`,
  ]);
  // `exec` so that the SDK's teardown signal reaches the JVM itself.
  fs.writeFileSync(
    launcher,
    `#!/bin/sh\nexec java -cp '${jars}/*' io.temporal.testserver.TestServer "$1"\n`,
    { mode: 0o755 },
  );
  return launcher;
}

module.exports = { temporalCli, testServer, cacheRoot, goInstall, isExecutable, removeAbandonedBuilds };

if (require.main === module) {
  try {
    console.log(`temporal CLI:         ${temporalCli()}`);
    console.log(`Temporal test server: ${testServer()}`);
  } catch (error) {
    console.error(`[tools] ${error.toolsFailure ? error.message : error.stack}`);
    process.exit(1);
  }
}
