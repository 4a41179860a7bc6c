/**
 * The dev server the project starts for running and testing (libs/temporal/dev-server.ts): a server
 * that exits at start (its HTTP API's port taken before it bound it) is started again.
 */
import { Connection } from '@temporalio/client';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort, startDevServer } from '../../libs/temporal/dev-server';

jest.setTimeout(120_000);

describe('the dev server', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epi-ops-dev-server-'));

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A CLI that exits with an error its first `failures` times, as the server does when a port it picked was taken, then is the real CLI. */
  function failingAtFirst(failures: number): { cli: string; starts: () => number } {
    const count = path.join(dir, `starts-${failures}`);
    const cli = path.join(dir, `temporal-${failures}`);
    fs.writeFileSync(
      cli,
      `#!/bin/sh\necho x >> '${count}'\nif [ "$(wc -l < '${count}')" -le ${failures} ]; then echo 'listen tcp: bind: address already in use' >&2; exit 1; fi\nexec '${process.env.TEMPORAL_CLI}' "$@"\n`,
      { mode: 0o755 },
    );
    return { cli, starts: () => fs.readFileSync(count, 'utf8').split('\n').filter(Boolean).length };
  }

  it('starts again a server that exits at start, and answers', async () => {
    const { cli, starts } = failingAtFirst(2);
    const server = await startDevServer({ cli, port: await freePort() });
    try {
      const connection = await Connection.connect({ address: server.address });
      await expect(connection.workflowService.getSystemInfo({})).resolves.toBeDefined();
      await connection.close();
      expect(starts()).toBe(3);
    } finally {
      await server.stop();
    }
  });

  it('gives up after three starts, with the reason', async () => {
    const { cli, starts } = failingAtFirst(5);
    await expect(startDevServer({ cli, port: await freePort() })).rejects.toThrow(/exited with code 1 before answering/);
    expect(starts()).toBe(3);
  });
});
