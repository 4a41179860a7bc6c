/** A manifest file (csv or xlsx) read into the rows `POST /transfer-runs` takes: the upload's answer. */
import { offsetText, utcOffsetMinutes } from '../../../libs/config/time-zone';
import type { LedgerRow } from '../../../libs/observation/ledger/ledger-reader';
import type { ManifestFileView, ManifestRowView } from './transfer-views';

const LOCAL_TIME = /^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/;

/**
 * A manifest file's rows as `POST /transfer-runs` takes them, and the sheet row each came from. An
 * arrival time written without an offset (as spreadsheets keep them) is the jurisdiction's local time.
 */
export function manifestRowsOf(rows: LedgerRow[], timeZone: string): ManifestFileView {
  // The reader gives text (and booleans for flags) at the columns' paths: the shape ManifestRowView documents.
  const travellers = rows.map(({ record }): ManifestRowView => {
    const match = typeof record.arrivalTime === 'string' ? LOCAL_TIME.exec(record.arrivalTime) : null;
    if (!match) return record as unknown as ManifestRowView;
    const [, year, month, day, hour, minute, second = '00'] = match;
    const local = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}T${hour.padStart(2, '0')}:${minute}:${second}`;
    const offset = utcOffsetMinutes(timeZone, Date.parse(`${local}Z`));
    return { ...record, arrivalTime: `${local}${offsetText(offset)}` } as unknown as ManifestRowView;
  });
  return { travellers, sheetRows: rows.map((r) => r.row) };
}
