import { ChildProcess } from 'node:child_process';

/** A child process kept running by `supervise`. */
export interface Supervised {
  readonly name: string;
  /** The running process, if any (none while a restart is pending). */
  current(): ChildProcess | undefined;
  /** Stops it for good: no restart, SIGTERM to the running process, resolved once it has exited. */
  stop(): Promise<void>;
}

export interface SupervisorOptions {
  /** The pause before a restart; it doubles with each exit at start in a row. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** An exit within this long of the process's start counts as failing at start. */
  startupMs?: number;
  /** Exits at start in a row after which it is given up. */
  maxStartFailures?: number;
  log?: (line: string) => void;
}

/** EX_CONFIG: the entry points' exit code for a bad configuration, which no restart mends. */
const EX_CONFIG = 78;

/**
 * Keeps a process running: each exit gets one log line (which process, its exit code or signal, the
 * restart) and a restart after a pause (1 s, doubling with each exit at start in a row, at most 30 s).
 * A process that keeps failing at start (`maxStartFailures` exits in a row, each within `startupMs` of
 * its start), or stops on a configuration error, is given up: `giveUp` gets one line saying so.
 */
export function supervise(name: string, launch: () => ChildProcess, giveUp: (line: string) => void, options: SupervisorOptions = {}): Supervised {
  const { backoffMs = 1_000, maxBackoffMs = 30_000, startupMs = 30_000, maxStartFailures = 3, log = (line: string) => process.stdout.write(`[start] ${line}\n`) } = options;
  let child: ChildProcess | undefined;
  let exited = Promise.resolve();
  let restart: NodeJS.Timeout | undefined;
  let stopped = false;
  let failuresAtStart = 0;
  let restarts = 0;

  function onExit(code: number | null, signal: NodeJS.Signals | null, ranMs: number): void {
    child = undefined;
    if (stopped) return;
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    if (code === EX_CONFIG) return giveUp(`the ${name} stopped on a configuration error (${how}, see its message above); stopping everything`);
    failuresAtStart = ranMs < startupMs ? failuresAtStart + 1 : 0;
    if (failuresAtStart >= maxStartFailures) {
      return giveUp(`the ${name} keeps failing at start (${failuresAtStart} exits in a row within ${startupMs / 1000} s of starting, the last with ${how}); stopping everything`);
    }
    const pause = Math.min(maxBackoffMs, backoffMs * 2 ** failuresAtStart);
    restarts += 1;
    log(`the ${name} exited (${how}) after ${(ranMs / 1000).toFixed(1)} s; restarting it in ${pause / 1000} s (restart ${restarts})`);
    restart = setTimeout(start, pause);
  }

  function start(): void {
    restart = undefined;
    const startedAt = Date.now();
    const launched = launch();
    child = launched;
    log(`the ${name} started (pid ${launched.pid})`);
    exited = new Promise((resolve) =>
      launched.once('exit', (code, signal) => {
        onExit(code, signal, Date.now() - startedAt);
        resolve();
      }),
    );
  }

  start();
  return {
    name,
    current: () => child,
    async stop() {
      stopped = true;
      clearTimeout(restart);
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
