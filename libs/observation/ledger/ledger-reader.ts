/**
 * Reads an enrolment ledger (台账) kept by a community office, as .csv or .xlsx, into records in
 * the `EnrolmentRequest` shape. It only reads: `validateEnrolment` judges each record, so a row
 * and an API request are held to the same rules, and every problem can name the sheet row.
 * `readSheet` reads any such table by its own header table (a dispatcher's transfer manifest too).
 */
import { Readable } from 'node:stream';
import { crc32, inflateRawSync } from 'node:zlib';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { FieldProblem, invalid, invalidAll } from '../../domain/errors';
import type { DocumentType } from '../../domain/person/enrolment';
import { DAY } from '../../domain/local-time';

export interface LedgerRow {
  /** The row number a person sees in the sheet: the header is row 1, the first data row is 2. */
  row: number;
  record: Record<string, unknown>;
  /** Why a field may have read wrong, by its path: the import says it beside that field's problem. */
  hints?: Record<string, string>;
}

export interface LedgerColumn {
  /** Where the value goes in the `EnrolmentRequest` shape, dotted for nested fields. */
  path: string;
  zh: string;
  en: string;
  /** Other headers offices use for the same column. */
  aliases?: string[];
  required?: boolean;
  /** date: 'YYYY-MM-DD'; dateTime: a date cell as local 'YYYY-MM-DDTHH:mm:ss' (text kept as written); flag: true or false (yes/no, 是/否, 1/0). */
  kind?: 'date' | 'dateTime' | 'flag';
  /** A coded column: each code by the labels offices write for it (the first is the one exports use); a code itself is read too, in any case. */
  values?: Readonly<Record<string, readonly string[]>>;
}

/** How each document type is written in a ledger; the first label is the one exports use. */
export const DOCUMENT_TYPE_LABELS: Record<DocumentType, string[]> = {
  resident_id: ['身份证', '居民身份证'],
  passport: ['护照'],
};

/** The one header table: the reader matches it, the fixtures and any template write it. */
export const LEDGER_COLUMNS: readonly LedgerColumn[] = [
  { path: 'name', zh: '姓名', en: 'name', required: true },
  { path: 'documentType', zh: '证件类型', en: 'documentType', values: DOCUMENT_TYPE_LABELS },
  { path: 'documentNumber', zh: '证件号码', en: 'documentNumber', aliases: ['身份证号'], required: true },
  { path: 'mobile', zh: '手机号', en: 'mobile', aliases: ['手机'], required: true },
  { path: 'language', zh: '短信语言', en: 'language' },
  { path: 'address.subdistrict', zh: '街道', en: 'subdistrict', required: true },
  { path: 'address.community', zh: '社区', en: 'community', required: true },
  { path: 'address.building', zh: '楼号', en: 'building', aliases: ['楼栋'], required: true },
  { path: 'address.unit', zh: '单元', en: 'unit', required: true },
  { path: 'address.detail', zh: '详细地址', en: 'detail' },
  { path: 'category', zh: '类别', en: 'category', aliases: ['人员类别'], required: true },
  { path: 'anchorDate', zh: '末次接触或入境日期', en: 'anchorDate', aliases: ['锚定日期'], required: true, kind: 'date' },
  { path: 'responsibleWorker', zh: '责任社工', en: 'responsibleWorker', required: true },
  { path: 'devices.doorSensorId', zh: '门磁', en: 'doorSensorId' },
  { path: 'devices.cameraId', zh: '摄像头', en: 'cameraId' },
  { path: 'devices.thermometerId', zh: '智能体温计', en: 'thermometerId' },
];

/** A cell as the formats deliver it: csv gives text, xlsx also numbers, booleans, dates and objects. */
type Cell = unknown;
interface SheetRow {
  row: number;
  cells: Cell[];
}
interface Sheet {
  rows: SheetRow[];
  /** Workbooks from old Mac Excel count date serials from 1904. */
  date1904: boolean;
}

const normaliseHeader = (header: string) => header.replace(/\s+/g, '').toLowerCase();

/** A table's header table as the reader matches it: each column by every header it may have. */
export interface SheetLayout {
  columns: readonly LedgerColumn[];
  byHeader: Map<string, LedgerColumn>;
  maxRows: number;
  /** What the file is, in a problem's reason ("ledger", "manifest"). */
  noun: string;
}

export function sheetLayout(columns: readonly LedgerColumn[], maxRows: number, noun: string): SheetLayout {
  const byHeader = new Map(columns.flatMap((column) => [column.zh, column.en, ...(column.aliases ?? [])].map((h) => [normaliseHeader(h), column] as const)));
  return { columns, byHeader, maxRows, noun };
}


/** Rows a ledger may hold: a subdistrict's people under observation (17,000 in the field reports) with room to spare. */
export const MAX_LEDGER_ROWS = 50_000;
/** What an .xlsx may unpack to: a 50,000-row ledger unpacks to about 50 MB. */
export const MAX_UNPACKED_BYTES = 200 * 1024 * 1024;

/** A ledger too big to read: answered 413 naming the limit. */
export class LedgerTooLarge extends Error {
  readonly problems: FieldProblem[];
  constructor(reason: string) {
    super(`file: ${reason}`);
    this.name = 'LedgerTooLarge';
    this.problems = [{ field: 'file', reason }];
  }
}

const LEDGER_LAYOUT = sheetLayout(LEDGER_COLUMNS, MAX_LEDGER_ROWS, 'ledger');

export function readLedger(file: Buffer, fileName: string): Promise<LedgerRow[]> {
  return readSheet(file, fileName, LEDGER_LAYOUT);
}

/** A .csv or .xlsx table's rows by `layout`'s columns, each with the row number its sheet shows. */
export async function readSheet(file: Buffer, fileName: string, layout: SheetLayout): Promise<LedgerRow[]> {
  const extension = /\.([^.]+)$/.exec(fileName.trim())?.[1]?.toLowerCase();
  if (extension === 'csv') return sheetRows(readCsv(file), layout);
  if (extension === 'xlsx') return sheetRows(await readXlsx(file), layout);
  throw invalid('file', 'must be .csv or .xlsx');
}

function readCsv(file: Buffer): Sheet {
  let text: string;
  try {
    // Fatal decoding: a GBK file (Excel's "CSV" on Chinese Windows) is refused, not turned into mojibake.
    text = new TextDecoder('utf-8', { fatal: true }).decode(file);
  } catch {
    throw invalid('file', 'must be UTF-8 encoded: save it in Excel as "CSV UTF-8" or upload the .xlsx');
  }
  // Rows copied from Excel are separated by tabs: a first line with tabs and no comma is read so.
  const firstLine = text.slice(0, text.indexOf('\n') + 1 || undefined);
  const delimiter = firstLine.includes('\t') && !firstLine.includes(',') ? '\t' : ',';
  try {
    const records: string[][] = parseCsv(text, { delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: false });
    return { rows: records.map((cells, index) => ({ row: index + 1, cells })), date1904: false };
  } catch (error) {
    throw invalid('file', `is not a readable CSV: ${(error as Error).message}`);
  }
}

/** What ExcelJS's streaming reader holds at run time beyond its type definitions. */
interface StreamingWorkbook {
  model?: { sheets?: Array<{ id: number }> };
  properties?: { model?: { date1904?: boolean } };
}
type StreamingWorksheet = AsyncIterable<ExcelJS.Row> & { id?: unknown };

/**
 * The streaming reader is about twice as fast as `Workbook.xlsx.load` on large ledgers. Every sheet
 * is read to the end, even unwanted ones, so ExcelJS closes and deletes its temporary files.
 */
async function readXlsx(file: Buffer): Promise<Sheet> {
  const unpacked = unpackedSize(file);
  if (unpacked > MAX_UNPACKED_BYTES) {
    throw new LedgerTooLarge(`unpacks to ${mebibytes(unpacked)}, more than the ${mebibytes(MAX_UNPACKED_BYTES)} a ledger workbook may hold; split the ledger`);
  }
  if (!zipIsIntact(file)) throw invalid('file', 'is not a readable .xlsx workbook: the file is damaged or is not an Excel workbook');
  // Byte mode: in object mode an empty Buffer is a chunk that leaves the unzipper waiting forever.
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([file], { objectMode: false }), { styles: 'cache', sharedStrings: 'cache', hyperlinks: 'ignore' });
  const workbook = reader as unknown as StreamingWorkbook;
  let rows: SheetRow[] | undefined;
  try {
    for await (const worksheet of reader as AsyncIterable<StreamingWorksheet>) {
      const sheetRows = await readWorksheet(worksheet, rows === undefined && isFirstTab(workbook, worksheet));
      rows ??= sheetRows;
    }
  } catch (error) {
    throw invalid('file', `is not a readable .xlsx workbook (${(error as Error).message})`);
  }
  if (!rows) throw invalid('file', 'is not a readable .xlsx workbook: it has no worksheet');
  return { rows, date1904: workbook.properties?.model?.date1904 === true };
}

/** Sheets arrive in archive order; the first tab is the first sheet of workbook.xml, when that came first. */
function isFirstTab(workbook: StreamingWorkbook, worksheet: StreamingWorksheet): boolean {
  const firstId = workbook.model?.sheets?.[0]?.id;
  return firstId === undefined || Number(worksheet.id) === firstId;
}

async function readWorksheet(worksheet: StreamingWorksheet, keep: boolean): Promise<SheetRow[] | undefined> {
  const rows: SheetRow[] = [];
  for await (const row of worksheet) if (keep) rows.push({ row: row.number, cells: (row.values as Cell[]).slice(1) });
  return keep ? rows : undefined;
}

const ZIP_END = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
const ZIP_CENTRAL_ENTRY = 0x02014b50;
const ZIP_LOCAL_ENTRY = 0x04034b50;
const ZIP_SIZES_AFTER_DATA = 0x08;

const mebibytes = (bytes: number) => `${Math.ceil(bytes / (1024 * 1024))} MiB`;

/** The total size the central directory says the entries unpack to; 0 when it cannot be read (zipIsIntact then refuses the file). */
function unpackedSize(file: Buffer): number {
  try {
    let total = 0;
    for (const entry of centralEntries(file)) total += file.readUInt32LE(entry + 24);
    return total;
  } catch {
    return 0;
  }
}

/**
 * ExcelJS's streaming unzip waits forever on a damaged deflate stream (the inflate error never
 * reaches the reader), so the archive is checked first: every entry's local header must agree
 * with the central directory and its data must inflate to the recorded size and CRC-32.
 */
function zipIsIntact(file: Buffer): boolean {
  try {
    for (const entry of centralEntries(file)) if (!zipEntryIsIntact(file, entry)) return false;
    return true;
  } catch {
    return false; // an offset past the end of the file, or data that does not inflate
  }
}

/** Where each central directory entry starts; throws when the directory is not there or not whole. */
function* centralEntries(file: Buffer): Generator<number> {
  const end = file.lastIndexOf(ZIP_END);
  if (end < 0) throw new RangeError('no end of central directory');
  let entry = file.readUInt32LE(end + 16);
  for (let count = file.readUInt16LE(end + 10); count > 0; count--) {
    if (file.readUInt32LE(entry) !== ZIP_CENTRAL_ENTRY) throw new RangeError('not a central directory entry');
    yield entry;
    entry += 46 + file.readUInt16LE(entry + 28) + file.readUInt16LE(entry + 30) + file.readUInt16LE(entry + 32);
  }
}

function zipEntryIsIntact(file: Buffer, entry: number): boolean {
  const method = file.readUInt16LE(entry + 10);
  const crc = file.readUInt32LE(entry + 16);
  const compressedSize = file.readUInt32LE(entry + 20);
  const size = file.readUInt32LE(entry + 24);
  const local = file.readUInt32LE(entry + 42);
  if (file.readUInt32LE(local) !== ZIP_LOCAL_ENTRY) return false;
  const sizesInLocalHeader = (file.readUInt16LE(local + 6) & ZIP_SIZES_AFTER_DATA) === 0;
  if (sizesInLocalHeader && !file.subarray(local + 14, local + 26).equals(file.subarray(entry + 16, entry + 28))) return false;
  const start = local + 30 + file.readUInt16LE(local + 26) + file.readUInt16LE(local + 28);
  const data = file.subarray(start, start + compressedSize);
  if (data.length !== compressedSize || (method !== 0 && method !== 8)) return false;
  const content = method === 0 ? data : inflateRawSync(data, { maxOutputLength: Math.max(size, 1) });
  return content.length === size && crc32(content) === crc;
}

function sheetRows(sheet: Sheet, layout: SheetLayout): LedgerRow[] {
  // The header is the first row naming a column of the layout: title rows above it are skipped.
  const headerIndex = sheet.rows.findIndex((row) => row.cells.some((cell) => layout.byHeader.has(normaliseHeader(cellText(cell)))));
  const columns = headerColumns(headerIndex < 0 ? [] : sheet.rows[headerIndex].cells, layout);
  const result: LedgerRow[] = [];
  for (const { row, cells } of sheet.rows.slice(headerIndex + 1)) {
    const read = recordOf(cells, columns, sheet.date1904);
    if (read) result.push({ row, ...read });
    if (result.length > layout.maxRows) throw invalid('file', `has more than ${layout.maxRows.toLocaleString('en')} rows, the most a ${layout.noun} may hold; split it into files of at most that many`);
  }
  return result;
}

/** The layout's column of each sheet column (undefined for columns it does not use). */
function headerColumns(headers: Cell[], layout: SheetLayout): Array<LedgerColumn | undefined> {
  const columns = Array.from(headers, (header) => layout.byHeader.get(normaliseHeader(cellText(header))));
  const problems = layout.columns.flatMap((column) => {
    const count = columns.filter((c) => c === column).length;
    if (count === 0 && column.required) return [{ field: 'file', reason: `missing column ${column.en} (${column.zh})` }];
    if (count > 1) return [{ field: 'file', reason: `column ${column.en} (${column.zh}) appears ${count} times` }];
    return [];
  });
  if (problems.length) throw invalidAll(problems);
  return columns;
}

/** The row as an enrolment record, or undefined when none of the ledger's columns holds a value. */
function recordOf(cells: Cell[], columns: Array<LedgerColumn | undefined>, date1904: boolean): Omit<LedgerRow, 'row'> | undefined {
  const record: Record<string, unknown> = { address: {} };
  const hints: Record<string, string> = {};
  let filled = false;
  columns.forEach((column, index) => {
    if (!column) return;
    const value = fieldValue(cells[index], column, date1904);
    if (value === '') return;
    setPath(record, column.path, value);
    if (column.kind !== 'date' && column.kind !== 'dateTime' && storedAsLongNumber(cells[index])) hints[column.path] = LONG_NUMBER_HINT;
    filled = true;
  });
  if (!filled) return undefined;
  return Object.keys(hints).length ? { record, hints } : { record };
}

const LONG_NUMBER_HINT = 'the spreadsheet stored it as a number, which keeps only 15 digits: format the column as text and type it again';

/**
 * Spreadsheets keep 15 significant digits of a number, so an 18-digit ID typed as a number loses
 * its last digits before we read it (and a CSV saved from it shows 1.10105E+17).
 */
function storedAsLongNumber(cell: Cell): boolean {
  const value = plainValue(cell);
  if (typeof value === 'number') return Math.abs(value) >= 1e15;
  return typeof value === 'string' && /^\s*\d(\.\d+)?e\+\d+\s*$/i.test(value);
}

const FLAG_BY_TEXT = new Map<string, boolean>([...['true', 'yes', 'y', '1', '是'].map((t) => [t, true] as const), ...['false', 'no', 'n', '0', '否'].map((t) => [t, false] as const)]);

/** The cell's value; '' when empty. A flag that is neither yes nor no stays text, for the validator to name. */
function fieldValue(cell: Cell, column: LedgerColumn, date1904: boolean): string | boolean {
  if (column.kind === 'date') return dateText(plainValue(cell), date1904);
  if (column.kind === 'dateTime') return dateTimeText(plainValue(cell));
  const text = cellText(cell);
  if (column.values) return codeOf(text, column.values) ?? text;
  if (column.kind === 'flag') return (typeof plainValue(cell) === 'boolean' ? (plainValue(cell) as boolean) : FLAG_BY_TEXT.get(text.toLowerCase())) ?? text;
  return text;
}

function codeOf(text: string, values: Readonly<Record<string, readonly string[]>>): string | undefined {
  const wanted = text.toLowerCase();
  return Object.entries(values).find(([code, labels]) => code === wanted || labels.some((label) => label.toLowerCase() === wanted))?.[0];
}

/** A date cell as the wall-clock time the sheet shows (ExcelJS gives it as that time in UTC); text as written. */
function dateTimeText(value: string | number | boolean | Date | null): string {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 19);
  return cellText(value);
}

function setPath(record: Record<string, unknown>, path: string, value: unknown): void {
  const [head, leaf] = path.split('.');
  if (leaf === undefined) record[head] = value;
  else record[head] = { ...(record[head] as Record<string, unknown> | undefined), [leaf]: value };
}

/** Unwraps ExcelJS's cell objects (formula results, hyperlinks, rich text, errors) to a plain value. */
function plainValue(cell: Cell): string | number | boolean | Date | null {
  if (cell === null || cell === undefined) return null;
  if (typeof cell !== 'object' || cell instanceof Date) return cell as string | number | boolean | Date;
  const value = cell as { richText?: Array<{ text?: string }>; result?: Cell; text?: Cell; error?: string };
  if (value.richText) return value.richText.map((run) => run.text ?? '').join('');
  if ('result' in value) return plainValue(value.result);
  if ('text' in value) return plainValue(value.text);
  return null; // an error value such as #N/A, or a formula without a cached result: no usable content
}

function cellText(cell: Cell): string {
  const value = plainValue(cell);
  if (value === null) return '';
  if (value instanceof Date) return dayOf(value);
  // Numbers below 1e21 print without exponent or ".0", so phones and IDs typed as numbers read back as typed.
  return String(value).trim();
}

/** Day 0 of the 1900 date system is 1899-12-30 (Excel keeps Lotus's phantom 1900-02-29). */
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);
const DATE_1904_OFFSET_DAYS = 1462;
const MAX_SERIAL = 2_958_465; // 9999-12-31
const TEXT_DATE = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$/;

/**
 * A date as 'YYYY-MM-DD', the calendar day the sheet shows. ExcelJS reads date cells as UTC
 * instants of the shown wall-clock time, so the UTC day is the shown day in any server time zone.
 */
function dateText(value: string | number | boolean | Date | null, date1904: boolean): string {
  if (typeof value === 'number' && value >= 1 && value <= MAX_SERIAL) {
    const days = Math.floor(value) + (date1904 ? DATE_1904_OFFSET_DAYS : 0);
    return dayOf(new Date(EXCEL_EPOCH_MS + days * DAY));
  }
  const text = cellText(value);
  const match = TEXT_DATE.exec(text);
  // Excel's CSV export writes dates as 2024/3/1; anything else is left for the validator to name.
  return match ? `${match[1]}-${match[2].padStart(2, '0')}-${match[3].padStart(2, '0')}` : text;
}

const dayOf = (date: Date) => (Number.isNaN(date.getTime()) ? '' : date.toISOString().slice(0, 10));
