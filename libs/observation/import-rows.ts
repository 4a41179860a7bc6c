import type { LedgerRow } from '../../apps/api/observation/ledger/ledger-reader';

/** Rows per INSERT when a file is stored: well under PostgreSQL's message limits. */
const ROWS_PER_CHUNK = 2_000;

/**
 * A ledger's rows as JSON text, in chunks of `import_row` values (seq, row, record, hints), made
 * where the file is read: the API's main thread only passes the text on to PostgreSQL, and never
 * builds or copies tens of thousands of row objects.
 */
export interface ImportRowChunks {
  rowCount: number;
  chunks: string[];
}

export function importRowChunks(rows: LedgerRow[]): ImportRowChunks {
  const chunks: string[] = [];
  for (let from = 0; from < rows.length; from += ROWS_PER_CHUNK) {
    chunks.push(JSON.stringify(rows.slice(from, from + ROWS_PER_CHUNK).map((r, i) => ({ seq: from + i, row: r.row, record: r.record, hints: r.hints ?? null }))));
  }
  return { rowCount: rows.length, chunks };
}
