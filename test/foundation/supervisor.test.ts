/**
 * The start command's supervisor (apps/cli/supervisor.ts) on small node processes: a process killed
 * outright is restarted with one line saying so; one that keeps failing at start, or stops on a
 * configuration error, is given up with one line. `npm start` under kill -9: test/foundation/start.test.ts.
 */
import { spawn } from 'node:child_process';
import { supervise } from '../../apps/cli/supervisor';
import { eventually } from '../support/eventually';

const node = (code: string) => () => spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
const idle = node('setInterval(() => {}, 1000)');

describe("the start command's supervisor", () => {
  it('restarts a process killed with SIGKILL, in one line naming it, the signal and the restart', async () => {
    const lines: string[] = [];
    const giveUp = jest.fn();
    // startupMs 0: every exit counts as one after a good start, so the pause is the first one.
    const worker = supervise('worker', idle, giveUp, { log: (line) => lines.push(line), startupMs: 0, backoffMs: 50 });
    try {
      const first = worker.current()!;
      first.kill('SIGKILL');
      const second = await eventually(async () => worker.current(), (child) => child !== undefined && child !== first, { what: 'the worker started again' });
      expect(lines).toEqual([
        `the worker started (pid ${first.pid})`,
        expect.stringMatching(/^the worker exited \(signal SIGKILL\) after \d+\.\d s; restarting it in 0\.05 s \(restart 1\)$/),
        `the worker started (pid ${second!.pid})`,
      ]);
      expect(giveUp).not.toHaveBeenCalled();
    } finally {
      await worker.stop();
    }
    expect(worker.current()).toBeUndefined();
  });

  it('gives up, in one line, on a process that keeps failing at start, pausing longer each time', async () => {
    const lines: string[] = [];
    const gaveUp = new Promise<string>((resolve) => supervise('API', node('process.exit(3)'), resolve, { log: (line) => lines.push(line), backoffMs: 20 }));
    expect(await gaveUp).toBe('the API keeps failing at start (3 exits in a row within 30 s of starting, the last with exit code 3); stopping everything');
    expect(lines.filter((line) => line.includes('restarting'))).toEqual([
      expect.stringMatching(/^the API exited \(exit code 3\) after .* s; restarting it in 0\.04 s \(restart 1\)$/),
      expect.stringMatching(/^the API exited \(exit code 3\) after .* s; restarting it in 0\.08 s \(restart 2\)$/),
    ]);
  });

  it('gives up at once on a configuration error (exit code 78)', async () => {
    const lines: string[] = [];
    const gaveUp = new Promise<string>((resolve) => supervise('worker', node('process.exit(78)'), resolve, { log: (line) => lines.push(line) }));
    expect(await gaveUp).toBe('the worker stopped on a configuration error (exit code 78, see its message above); stopping everything');
    expect(lines).toHaveLength(1); // started, never restarted
  });
});
