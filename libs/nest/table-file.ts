/**
 * Tables as files to download (.csv or .xlsx, for people to open in Excel or WPS): lists, tracking
 * logs, hand-over sheets. Every value is written as data: never a formula, and text that a
 * spreadsheet would run is defused.
 */
import { PassThrough } from 'node:stream';
import { applyDecorators, Type as ClassType } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiProduces } from '@nestjs/swagger';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import type { Response } from 'express';
import { utcOffsetMinutes, zonedIso } from '../config/time-zone';
import { MINUTE } from '../domain/local-time';

export interface TableColumn {
  key: string;
  header: string;
  /** The values are instants (ISO text or Date): written as local time in the table's time zone. */
  instant?: boolean;
}

export interface TableOptions {
  sheetName?: string;
  /** Where the offices are (IANA name); UTC unless given. */
  timeZone?: string;
}

export type TableFormat = 'csv' | 'xlsx';

export const TABLE_CONTENT_TYPE: Record<TableFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export async function writeTable(columns: TableColumn[], rows: readonly object[], format: TableFormat, options: TableOptions = {}): Promise<Buffer> {
  const headers = columns.map((column) => column.header);
  const timeZone = options.timeZone ?? 'UTC';
  const cells = rows.map((row) => {
    const values = row as Record<string, unknown>;
    return columns.map((column) => (column.instant ? instantCell(values[column.key], format, timeZone) : cellValue(values[column.key])));
  });
  return format === 'csv' ? writeCsv(headers, cells) : writeXlsx(headers, cells, options.sheetName);
}

/**
 * Documents a 200 answer that is a table file in each format, and, when the route also answers
 * JSON (`format=json`), its schema.
 */
export function ApiTableFileResponse(description: string, json?: { schema: Record<string, unknown>; models: Array<ClassType<unknown>> }) {
  const file = { schema: { type: 'string', format: 'binary' } };
  const content: Record<string, { schema: Record<string, unknown> }> = {
    ...(json ? { 'application/json': { schema: json.schema } } : {}),
    [TABLE_CONTENT_TYPE.csv.split(';')[0]]: file,
    [TABLE_CONTENT_TYPE.xlsx]: file,
  };
  return applyDecorators(ApiExtraModels(...(json?.models ?? [])), ApiProduces(...Object.keys(content)), ApiOkResponse({ description, content }));
}

/** Answers the request with the table as a file to download. */
export async function sendTable(response: Response, fileName: string, format: TableFormat, columns: TableColumn[], rows: readonly object[], options: TableOptions): Promise<void> {
  const file = await writeTable(columns, rows, format, options);
  response.setHeader('Content-Type', TABLE_CONTENT_TYPE[format]);
  response.setHeader('Content-Disposition', `attachment; filename="${fileName}.${format}"`);
  response.send(file);
}

type CellValue = string | number | Date | null;

/**
 * Strings a spreadsheet would read as a formula (OWASP's CSV-injection list) get a leading
 * apostrophe; plain signed numbers such as +8613800138000 are harmless and stay as written.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const SIGNED_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)$/;
const defuse = (text: string) => (FORMULA_START.test(text) && !SIGNED_NUMBER.test(text) ? `'${text}` : text);

function cellValue(value: unknown): CellValue {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string') return defuse(value);
  // Objects become JSON text: ExcelJS would write an object such as { formula } as a live formula.
  return defuse(typeof value === 'object' ? JSON.stringify(value) : String(value));
}

/**
 * Spreadsheets have no time zones, so an instant is written as the offices' wall time: a date cell
 * in xlsx, and in csv ISO text that also names the offset.
 */
function instantCell(value: unknown, format: TableFormat, timeZone: string): CellValue {
  const at = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(at)) return cellValue(value);
  // ExcelJS writes a Date's UTC fields as the cell's wall time.
  return format === 'csv' ? zonedIso(at, timeZone) : new Date(at + utcOffsetMinutes(timeZone, at) * MINUTE);
}

function writeCsv(headers: string[], cells: CellValue[][]): Buffer {
  const text = (value: CellValue) => (value instanceof Date ? value.toISOString() : value === null ? '' : String(value));
  // The BOM is what makes Excel open UTF-8 Chinese correctly; CRLF rows as RFC 4180 has them.
  const csv = stringify([headers.map(defuse), ...cells.map((row) => row.map(text))], { bom: true, record_delimiter: 'windows' });
  return Buffer.from(csv, 'utf8');
}

const DATE_FORMAT = 'yyyy-mm-dd hh:mm:ss';
const WIDTH_SAMPLE_ROWS = 200;

/** Streams the workbook without shared strings: about twice as fast as the in-memory writer. */
async function writeXlsx(headers: string[], cells: CellValue[][], sheetName = 'Sheet1'): Promise<Buffer> {
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => output.on('end', resolve).on('error', reject));

  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(safeSheetName(sheetName), { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = headers.map((header, index) => ({ width: columnWidth([header, ...cells.slice(0, WIDTH_SAMPLE_ROWS).map((row) => row[index])]) }));
  const header = sheet.addRow(headers.map(defuse));
  header.font = { bold: true };
  header.commit();
  for (const values of cells) {
    const row = sheet.addRow(values);
    values.forEach((value, index) => {
      if (value instanceof Date) row.getCell(index + 1).numFmt = DATE_FORMAT;
    });
    row.commit();
  }
  sheet.commit();
  await workbook.commit();
  await ended;
  return Buffer.concat(chunks);
}

/** Excel refuses sheet names over 31 characters or containing \ / ? * : [ ]. */
function safeSheetName(name: string): string {
  return name.replace(/[\\/?*:[\]]/g, '_').slice(0, 31).trim() || 'Sheet1';
}

/** A width that shows the sampled values; CJK characters take two columns. */
function columnWidth(values: CellValue[]): number {
  const widest = Math.max(
    ...values.map((value) => {
      const text = value instanceof Date ? DATE_FORMAT : value === null ? '' : String(value);
      return text.length + (text.match(/[\u2e80-\uffef]/g)?.length ?? 0);
    }),
  );
  return Math.min(Math.max(widest + 2, 8), 60);
}
