/**
 * Work that takes seconds of CPU (reading a large ledger in the API, solving a district's roster in
 * the worker) in a thread of its own, so the event loop that serves requests, activities and
 * workflow tasks keeps turning meanwhile.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { RUNS_COMPILED } from '../config/checkout';
import type { DomainError, FieldProblem } from '../domain/errors';

/** An error as it crosses from the thread: its name, message and the fields a domain error carries. */
export interface ThreadError {
  name: string;
  message: string;
  kind?: DomainError['kind'];
  problems?: FieldProblem[];
}

type ThreadAnswer<Answer> = { answer: Answer } | { error: ThreadError };

export interface WorkThreadOptions {
  /** The thread's own heap limit: work needing more ends the thread, answered by `outOfMemory`. */
  heapMib?: number;
  outOfMemory?: () => Error;
  /** The thread's errors as the caller's classes; any it leaves (undefined) is an Error of the same name and message. */
  revive?: (error: ThreadError) => Error | undefined;
}

/**
 * One thread running the handler `file` registers with `serveInThread`, one request at a time.
 * Started at the first request and kept (under ts-node, starting one costs about a second of CPU);
 * one that ends (out of memory) is replaced at the next request.
 */
export class WorkThread<Request, Answer> {
  private thread?: Worker;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly options: WorkThreadOptions = {},
  ) {}

  run(request: Request): Promise<Answer> {
    const answered = this.queue.then(() => this.send(request));
    this.queue = answered.catch(() => undefined);
    return answered;
  }

  private started(): Worker {
    if (this.thread) return this.thread;
    // From the sources (Jest, the fuzzer) the thread registers ts-node before it loads the file.
    const source = `${RUNS_COMPILED ? '' : "require('ts-node').register({ transpileOnly: true });"} require(${JSON.stringify(this.file)});`;
    const heapMib = this.options.heapMib;
    const thread = new Worker(source, { eval: true, workerData: { serves: this.file }, ...(heapMib && { resourceLimits: { maxOldGenerationSizeMb: heapMib } }) });
    thread.unref(); // an idle thread never keeps its process from exiting
    // A request in flight hears of an error or an end through its own listeners.
    thread.on('error', () => undefined);
    thread.once('exit', () => {
      if (this.thread === thread) this.thread = undefined;
    });
    return (this.thread = thread);
  }

  private send(request: Request): Promise<Answer> {
    const thread = this.started();
    return new Promise<Answer>((resolve, reject) => {
      const settle = () => {
        thread.off('message', onMessage).off('error', onError).off('exit', onExit);
      };
      const onMessage = (answered: ThreadAnswer<Answer>) => {
        settle();
        if ('answer' in answered) resolve(answered.answer);
        else reject(this.options.revive?.(answered.error) ?? Object.assign(new Error(answered.error.message), { name: answered.error.name }));
      };
      const onError = (error: Error & { code?: string }) => {
        settle();
        reject(error.code === 'ERR_WORKER_OUT_OF_MEMORY' && this.options.outOfMemory ? this.options.outOfMemory() : error);
      };
      const onExit = (code: number) => {
        settle();
        reject(new Error(`the thread for ${this.file} stopped (exit code ${code}) before it answered`));
      };
      thread.on('message', onMessage).on('error', onError).on('exit', onExit);
      thread.postMessage(request);
    });
  }
}

/** In the thread a WorkThread started for `file` (and only there): answers each request with `handle`'s result or its error. */
export function serveInThread<Request, Answer>(file: string, handle: (request: Request) => Answer | Promise<Answer>): void {
  if (isMainThread || !parentPort || (workerData as { serves?: string } | undefined)?.serves !== file) return;
  const port = parentPort;
  port.on('message', (request: Request) => {
    Promise.resolve()
      .then(() => handle(request))
      .then(
        (answer) => port.postMessage({ answer } satisfies ThreadAnswer<Answer>),
        (error: Error & Partial<ThreadError>) => port.postMessage({ error: { name: error.name, message: error.message, kind: error.kind, problems: error.problems } } satisfies ThreadAnswer<Answer>),
      );
  });
}
