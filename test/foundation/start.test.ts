/**
 * The start command itself as `npm start` runs it after the setup: built (`npm run build`), then
 * `dist/apps/cli/start.js`, as a child process on free ports with a data folder of its own. It runs
 * the worker and the API from the build, keeps the system up when the worker is killed with kill -9,
 * and stops everything on Ctrl-C.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { DataSource } from 'typeorm';
import { APP_ROLE } from '../../libs/persistence/app-role';
import { freePort } from '../../libs/temporal/dev-server';
import { within } from '../support/deadline';
import { eventually } from '../support/eventually';

jest.setTimeout(300_000);

const ROOT = path.resolve(__dirname, '..', '..');

interface Health {
  status: string;
  worker: { status: string; detail?: string };
  database: { status: string };
  temporal: { status: string };
}

describe('npm start under kill -9 of its worker', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'epi-ops-start-'));
  const lines: string[] = [];
  let start: ChildProcess;
  let exited: Promise<number | null>;
  let api: string;
  let ports: Record<string, number>;

  const waiting: Array<() => void> = [];
  /** The first line of the start command's output since `after` that matches; refused if it exits first. */
  function line(pattern: RegExp, after = 0): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = lines.slice(after).find((l) => pattern.test(l));
        if (found) resolve(found);
        else if (start.exitCode !== null) reject(new Error(`npm start exited with ${start.exitCode} before a line matching ${pattern}:\n${lines.join('\n')}`));
        else waiting.push(check);
      };
      check();
    });
  }
  const health = async (): Promise<Health> => (await fetch(`${api}/health`)).json() as Promise<Health>;
  const workerPid = (startedLine: string) => Number(/the worker started \(pid (\d+)\)/.exec(startedLine)![1]);

  beforeAll(async () => {
    fs.chmodSync(dataDir, 0o755); // as root the embedded PostgreSQL runs as user postgres, which must reach its data
    ports = { API_PORT: await freePort(), EMBEDDED_PG_PORT: await freePort(), TEMPORAL_DEV_PORT: await freePort(), TEMPORAL_UI_PORT: await freePort(), WORKER_METRICS_PORT: await freePort() };
    api = `http://127.0.0.1:${ports.API_PORT}`;
    // The start command's own defaults: no servers, secrets or database logins from the test run.
    const env: NodeJS.ProcessEnv = { ...process.env, EPI_DATA_DIR: dataDir, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) };
    for (const name of ['DATABASE_URL', 'DATABASE_OWNER_URL', 'TEMPORAL_ADDRESS', 'EPI_PAYLOAD_KEYS', 'EPI_JWT_SECRET', 'EPI_ADMIN_PASSWORD', 'EPI_WORKER_METRICS_URL']) delete env[name];
    const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`npm run build failed (${build.status}):\n${build.stdout}${build.stderr}`);
    start = spawn(process.execPath, [path.join(ROOT, 'dist', 'apps', 'cli', 'start.js')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const wake = () => waiting.splice(0).forEach((check) => check());
    exited = new Promise((resolve) => start.once('exit', (code) => (resolve(code), wake())));
    for (const stream of [start.stdout!, start.stderr!]) readline.createInterface({ input: stream }).on('line', (l) => (lines.push(l), wake()));
    await within('npm start saying the system is running', 240_000, () => line(/is running:/));
  });

  afterAll(async () => {
    if (start?.exitCode === null) {
      start.kill('SIGINT');
      await exited;
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs the worker and the API from the build, as plain JavaScript', async () => {
    const commandLine = async (name: string) => {
      const pid = Number(new RegExp(`the ${name} started \\(pid (\\d+)\\)`).exec(await line(new RegExp(`the ${name} started`)))![1]);
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    };
    const worker = await commandLine('worker');
    expect(worker.slice(-1)).toEqual([path.join(ROOT, 'dist', 'apps', 'worker', 'main.js')]);
    expect(worker).toContain('--max-old-space-size=512');
    expect(await commandLine('API')).toEqual([process.execPath, path.join(ROOT, 'dist', 'apps', 'api', 'main.js')]);
    expect(fs.readFileSync(path.join(dataDir, 'workflow-bundle.js'), 'utf8')).toContain(path.join('dist', 'workflows', 'index.js'));
  });

  it('keeps its secrets, the database superuser password among them, owner-only, and runs the API and worker as the application role', async () => {
    const secret = path.join(dataDir, 'secrets', 'postgres-password');
    expect(fs.statSync(secret).mode & 0o777).toBe(0o600);
    const owner = new DataSource({ type: 'postgres', host: '127.0.0.1', port: ports.EMBEDDED_PG_PORT, username: 'postgres', password: fs.readFileSync(secret, 'utf8').trim(), database: 'epi_ops' });
    await owner.initialize();
    try {
      const sessions: Array<{ application_name: string; usename: string }> = await owner.query(
        `SELECT DISTINCT application_name, usename FROM pg_stat_activity WHERE datname = 'epi_ops' AND application_name LIKE 'epi-ops%' AND application_name <> 'epi-ops-migrate' ORDER BY 1`,
      );
      expect(sessions.length).toBeGreaterThan(0);
      expect(sessions.every((s) => s.usename === APP_ROLE)).toBe(true);
    } finally {
      await owner.destroy();
    }
  });

  it('restarts a worker killed with kill -9, saying so, while the API answers and /health says the worker is down, then back', async () => {
    const before = lines.length;
    const killed = workerPid(await line(/the worker started \(pid \d+\)/));
    expect((await health()).status).toBe('ok');

    process.kill(killed, 'SIGKILL');
    const down = await within('/health saying the worker is down after kill -9', 10_000, () =>
      eventually(health, (h) => h.worker.status === 'down', { what: '/health worker down', timeoutMs: 10_000, intervalMs: 100 }),
    );
    expect(down).toMatchObject({ status: 'unavailable', database: { status: 'up' }, temporal: { status: 'up' } });
    expect(down.worker.detail).toContain('does not answer');
    // The pause is 1 s, or 2 s when the worker had run less than the 30 s counted as its start.
    expect(await line(/the worker exited/, before)).toMatch(/^\[start\] the worker exited \(signal SIGKILL\) after \d+\.\d s; restarting it in [12] s \(restart 1\)$/);

    const restarted = workerPid(await within('the worker started again by npm start', 10_000, () => line(/the worker started \(pid \d+\)/, before)));
    expect(restarted).not.toBe(killed);
    await within('/health saying the worker is back', 60_000, () =>
      eventually(health, (h) => h.status === 'ok' && h.worker.status === 'up', { what: '/health worker up', timeoutMs: 60_000, intervalMs: 250 }),
    );
    // The API was never restarted, nor anything stopped.
    expect(lines.slice(before).filter((l) => /API|stopping/.test(l))).toEqual([]);
    expect(start.exitCode).toBeNull();
  });

  it('stops everything on Ctrl-C', async () => {
    start.kill('SIGINT');
    expect(await within('npm start exiting after Ctrl-C', 60_000, () => exited)).toBe(0);
    await expect(fetch(`${api}/health`)).rejects.toThrow();
    for (const port of [ports.EMBEDDED_PG_PORT, ports.TEMPORAL_DEV_PORT, ports.WORKER_METRICS_PORT]) expect(await freePort(port)).toBe(port);
  });
});
