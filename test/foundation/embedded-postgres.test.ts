/**
 * The embedded PostgreSQL from a clone that user postgres cannot enter (as root, under a home folder
 * of mode 0700): the check that finds the closed folder, and, as root, the server started anyway with
 * its binaries and data where postgres can reach them, or one line saying what to do.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { blockedFolder, newDatabasePassword, packagedBinaries, postgresUser, reachableBinaries, startEmbeddedPostgres } from '../../libs/persistence/embedded-postgres';
import { freePort } from '../../libs/temporal/dev-server';

jest.setTimeout(120_000);

const asRoot = process.getuid?.() === 0 ? it : it.skip;

/** A folder like a home folder: only its owner may enter it. */
function closedFolder(parent: string, name: string): string {
  const folder = path.join(parent, name);
  fs.mkdirSync(folder);
  fs.chmodSync(folder, 0o700);
  return folder;
}

async function query(url: string, sql: string): Promise<unknown[]> {
  const db = await new DataSource({ type: 'postgres', url }).initialize();
  try {
    return await db.query(sql);
  } finally {
    await db.destroy();
  }
}

describe('embedded PostgreSQL out of reach of user postgres', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'epi-ops-reach-'));
  beforeAll(() => fs.chmodSync(tmp, 0o755));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('finds the first folder on the way that a user may not enter, by its mode, owner and group', () => {
    const home = closedFolder(tmp, 'home');
    const clone = path.join(home, 'clone', 'data', 'postgres');
    fs.mkdirSync(path.dirname(clone), { recursive: true });
    const { uid, gid } = fs.statSync(home);
    const stranger = { uid: uid + 4242, gid: gid + 4242 };

    expect(blockedFolder(clone, stranger)).toBe(home);
    expect(blockedFolder(path.join(clone, 'not', 'made', 'yet'), stranger)).toBe(home);
    expect(blockedFolder(clone, { uid, gid: stranger.gid })).toBeUndefined();
    fs.chmodSync(home, 0o750);
    expect(blockedFolder(clone, stranger)).toBe(home);
    expect(blockedFolder(clone, { uid: stranger.uid, gid })).toBeUndefined();
    fs.chmodSync(home, 0o711);
    expect(blockedFolder(clone, stranger)).toBeUndefined();
    // A link is judged by where it leads.
    fs.chmodSync(home, 0o700);
    fs.symlinkSync(path.join(home, 'clone'), path.join(tmp, 'link'));
    expect(blockedFolder(path.join(tmp, 'link', 'data'), stranger)).toBe(home);
  });

  asRoot('starts from a clone under a closed home folder, keeping the data where postgres can reach it, linked from the clone, across restarts', async () => {
    const dir = path.join(closedFolder(tmp, 'home-start'), 'clone', 'data', 'postgres');
    const reachableRoot = path.join(tmp, 'reachable');
    const port = await freePort();
    const password = newDatabasePassword();

    let database = await startEmbeddedPostgres({ dir, port, password, reachableRoot });
    try {
      expect(fs.lstatSync(dir).isSymbolicLink()).toBe(true);
      const placed = fs.realpathSync(dir);
      expect(path.dirname(placed)).toBe(reachableRoot);
      expect(fs.statSync(placed)).toMatchObject({ uid: (await postgresUser())!.uid });
      expect(fs.statSync(placed).mode & 0o777).toBe(0o700);
      await query(database.url, `CREATE TABLE kept (id int); INSERT INTO kept VALUES (7)`);
      await database.stop();

      database = await startEmbeddedPostgres({ dir, port, password, reachableRoot });
      expect(fs.realpathSync(dir)).toBe(placed);
      expect(await query(database.url, `SELECT id FROM kept`)).toEqual([{ id: 7 }]);
      await database.stop();

      // Data made when the superuser's password was another (fixed) one: the password given is set.
      const newPassword = newDatabasePassword();
      database = await startEmbeddedPostgres({ dir, port, password: newPassword, reachableRoot });
      expect(database.url).toContain(newPassword);
      expect(await query(database.url, `SELECT id FROM kept`)).toEqual([{ id: 7 }]);
    } finally {
      await database.stop();
    }
  });

  asRoot('copies the binaries where postgres can reach them when the packaged ones are out of its reach, once', async () => {
    const user = (await postgresUser())!;
    const packaged = path.join(closedFolder(tmp, 'home-bin'), 'clone', 'node_modules', 'native');
    const native = packagedBinaries().dir;
    fs.cpSync(native, packaged, { recursive: true, verbatimSymlinks: true });
    const reachableRoot = path.join(tmp, 'reachable-bin');
    expect(reachableBinaries({ dir: native, version: 'test' }, user, reachableRoot)).toBe(native);

    const copy = reachableBinaries({ dir: packaged, version: 'test' }, user, reachableRoot);
    expect(copy).toBe(path.join(reachableRoot, 'postgres-test'));
    const version = spawnSync(path.join(copy, 'bin', 'postgres'), ['--version'], { uid: user.uid, gid: user.gid, encoding: 'utf8' });
    expect(version).toMatchObject({ status: 0, stdout: expect.stringMatching(/^postgres \(PostgreSQL\) \d+/) });
    const madeAt = fs.statSync(copy).mtimeMs;
    expect(reachableBinaries({ dir: packaged, version: 'test' }, user, reachableRoot)).toBe(copy);
    expect(fs.statSync(copy).mtimeMs).toBe(madeAt);
    expect(fs.readdirSync(reachableRoot)).toEqual(['postgres-test']); // no partial copy left
  });

  asRoot('stops with one line saying what to do when there is nowhere postgres can reach', async () => {
    const home = closedFolder(tmp, 'home-nowhere');
    const start = startEmbeddedPostgres({ dir: path.join(home, 'clone', 'data', 'postgres'), port: await freePort(), password: newDatabasePassword(), reachableRoot: path.join(home, 'not-reachable-either') });
    await expect(start).rejects.toThrow(new RegExp(`^user postgres cannot reach this clone, nor ${home} \\(mode 0700, owner uid 0\\): move the clone to a folder every user may enter$`));
  });
});
