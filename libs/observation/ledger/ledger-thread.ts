/**
 * Reads ledgers in a worker thread: parsing a large .xlsx or .csv takes seconds of CPU, which on
 * the API's main thread would stall every other request meanwhile. One thread, started at the first
 * upload and kept (under ts-node, starting one costs about a second of CPU), reads one ledger at a
 * time with a heap limit of its own: a file that needs more memory than that is refused, and the
 * next upload gets a new thread.
 */
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { RUNS_COMPILED } from '../../config/checkout';
import { DomainError } from '../../domain/errors';
import type { ImportRowChunks } from '../../persistence/observation/import-job.repository';
import { importRowChunks } from './import-rows';
import { LedgerTooLarge, readLedger } from './ledger-reader';

const THREAD_HEAP_MIB = 1024;

interface ThreadError {
  name: string;
  message: string;
  kind?: DomainError['kind'];
  problems?: DomainError['problems'];
}

type ThreadAnswer = { rows: ImportRowChunks } | { error: ThreadError };
interface ThreadRequest {
  file: Uint8Array;
  fileName: string;
}

/** The thread runs this file; from the sources (Jest, the fuzzer) it registers ts-node in the thread first. */
const THREAD_SOURCE = `${RUNS_COMPILED ? '' : "require('ts-node').register({ transpileOnly: true });"} require(${JSON.stringify(__filename)});`;

let thread: Worker | undefined;
let queue: Promise<unknown> = Promise.resolve();

/**
 * `readLedger` in the reading thread, its rows as the text `import_row` is written from (structured
 * copies of 50,000 row objects would stall the main thread for most of a second); its errors
 * arrive as the same classes (DomainError, LedgerTooLarge).
 */
export function readLedgerOffThread(file: Buffer, fileName: string): Promise<ImportRowChunks> {
  const read = queue.then(() => readInThread({ file, fileName }));
  queue = read.catch(() => undefined);
  return read;
}

function readInThread(request: ThreadRequest): Promise<ImportRowChunks> {
  if (!thread) {
    const started = new Worker(THREAD_SOURCE, { eval: true, resourceLimits: { maxOldGenerationSizeMb: THREAD_HEAP_MIB } });
    started.unref(); // an idle reader never keeps the API from exiting
    // Ended (out of memory): the next read starts another. A read in flight hears of it through its own listeners.
    started.on('error', () => undefined);
    started.once('exit', () => {
      if (thread === started) thread = undefined;
    });
    thread = started;
  }
  const current = thread;
  return new Promise<ImportRowChunks>((resolve, reject) => {
    const settle = () => {
      current.off('message', onMessage).off('error', onError).off('exit', onExit);
    };
    const onMessage = (answer: ThreadAnswer) => {
      settle();
      if ('rows' in answer) resolve(answer.rows);
      else reject(revive(answer.error));
    };
    const onError = (error: Error & { code?: string }) => {
      settle();
      reject(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new LedgerTooLarge(`needs more than ${THREAD_HEAP_MIB} MiB of memory to read; split the ledger`) : error);
    };
    const onExit = (code: number) => {
      settle();
      reject(new Error(`the ledger reader stopped (exit code ${code}) before it answered`));
    };
    current.on('message', onMessage).on('error', onError).on('exit', onExit);
    current.postMessage(request);
  });
}

function revive(error: ThreadError): Error {
  if (error.name === 'DomainError') return new DomainError(error.kind!, error.message, error.problems);
  if (error.name === 'LedgerTooLarge') return new LedgerTooLarge(error.problems![0].reason);
  return Object.assign(new Error(error.message), { name: error.name });
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  port.on('message', ({ file, fileName }: ThreadRequest) => {
    readLedger(Buffer.from(file.buffer, file.byteOffset, file.byteLength), fileName).then(
      (rows) => port.postMessage({ rows: importRowChunks(rows) } satisfies ThreadAnswer),
      (error: Error & Partial<DomainError>) => port.postMessage({ error: { name: error.name, message: error.message, kind: error.kind, problems: error.problems } } satisfies ThreadAnswer),
    );
  });
}
