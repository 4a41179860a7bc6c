/**
 * Reads ledgers in a worker thread: parsing a large .xlsx or .csv takes seconds of CPU, which on
 * the API's main thread would stall every other request meanwhile. One thread reads one ledger at a
 * time with a heap limit of its own: a file that needs more memory than that is refused, and the
 * next upload gets a new thread.
 */
import { DomainError } from '../../domain/errors';
import type { ImportRowChunks } from '../../persistence/observation/import-job.repository';
import { serveInThread, ThreadError, WorkThread } from '../../threads/work-thread';
import { importRowChunks } from './import-rows';
import { LedgerTooLarge, readLedger } from './ledger-reader';

const THREAD_HEAP_MIB = 1024;

interface LedgerFile {
  file: Uint8Array;
  fileName: string;
}

const reader = new WorkThread<LedgerFile, ImportRowChunks>(__filename, {
  heapMib: THREAD_HEAP_MIB,
  outOfMemory: () => new LedgerTooLarge(`needs more than ${THREAD_HEAP_MIB} MiB of memory to read; split the ledger`),
  revive,
});

/**
 * `readLedger` in the reading thread, its rows as the text `import_row` is written from (structured
 * copies of 50,000 row objects would stall the main thread for most of a second); its errors
 * arrive as the same classes (DomainError, LedgerTooLarge).
 */
export function readLedgerOffThread(file: Buffer, fileName: string): Promise<ImportRowChunks> {
  return reader.run({ file, fileName });
}

function revive(error: ThreadError): Error | undefined {
  if (error.name === 'DomainError') return new DomainError(error.kind!, error.message, error.problems);
  if (error.name === 'LedgerTooLarge') return new LedgerTooLarge(error.problems![0].reason);
  return undefined;
}

serveInThread<LedgerFile, ImportRowChunks>(__filename, async ({ file, fileName }) =>
  importRowChunks(await readLedger(Buffer.from(file.buffer, file.byteOffset, file.byteLength), fileName)),
);
