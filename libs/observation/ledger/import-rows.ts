import type { ImportRowChunks } from '../../persistence/observation/import-job.repository';
import type { LedgerRow } from './ledger-reader';

/** Rows per INSERT when a file is stored: well under PostgreSQL's message limits. */
const ROWS_PER_CHUNK = 2_000;

/** A ledger's rows in the chunks `import_row` is written from (see ImportRowChunks). */
export function importRowChunks(rows: LedgerRow[]): ImportRowChunks {
  const chunks: string[] = [];
  for (let from = 0; from < rows.length; from += ROWS_PER_CHUNK) {
    chunks.push(JSON.stringify(rows.slice(from, from + ROWS_PER_CHUNK).map((r, i) => ({ seq: from + i, row: r.row, record: r.record, hints: r.hints ?? null }))));
  }
  return { rowCount: rows.length, chunks };
}
