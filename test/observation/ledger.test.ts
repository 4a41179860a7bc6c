import ExcelJS from 'exceljs';
import { parse as parseCsv } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { LEDGER_COLUMNS, LedgerTooLarge, MAX_LEDGER_ROWS, readLedger } from '../../libs/observation/ledger/ledger-reader';
import { readLedgerOffThread } from '../../libs/observation/ledger/ledger-thread';
import { TABLE_CONTENT_TYPE, writeTable } from '../../libs/nest/table-file';
import { DomainError } from '../../libs/domain/errors';
import { validateEnrolment } from '../../libs/domain/person/enrolment';
import { residentIdCheckCharacter } from '../../libs/domain/person/resident-id';
import { makeCsvOfCopies, makeLedgerFile, makeLedgerRecords, makeZipBomb } from '../support/ledger-fixtures';

/** The DomainError a call throws, so a test can assert its kind and problems. */
async function domainError(run: () => Promise<unknown>): Promise<DomainError> {
  const error = await run().then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return error;
}

/** An 18-digit resident ID that survives being stored as an Excel number (few do: doubles keep ~16 digits). */
function residentIdSafeAsNumber(): string {
  for (let sequence = 1; sequence < 1000; sequence++) {
    const first17 = `11010819900307${String(sequence).padStart(3, '0')}`;
    const id = first17 + residentIdCheckCharacter(first17);
    if (String(Number(id)) === id) return id;
  }
  throw new Error('no resident ID survives as a number');
}

async function xlsxFromRows(build: (workbook: ExcelJS.Workbook) => void): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  build(workbook);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

async function loadWorkbook(file: Buffer): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(new Uint8Array(file).buffer);
  return workbook;
}

describe('ledger fixtures', () => {
  it('are deterministic, distinct, valid and varied', () => {
    const records = makeLedgerRecords(500, { seed: 7 });
    expect(makeLedgerRecords(500, { seed: 7 })).toEqual(records);
    expect(makeLedgerRecords(5, { seed: 8 })).not.toEqual(records.slice(0, 5));
    expect(new Set(records.map((r) => r.documentNumber)).size).toBe(500);
    expect(new Set(records.map((r) => r.mobile)).size).toBe(500);
    expect(new Set(records.map((r) => r.category))).toEqual(new Set(['A', 'B', 'C', 'D']));
    expect(new Set(records.map((r) => r.address.community)).size).toBe(5);
    for (const record of records) expect(validateEnrolment({ ...record }).problems).toEqual([]);
  });
});

describe('validateEnrolment: the language of the person’s messages', () => {
  const [record] = makeLedgerRecords(1, { seed: 9 });
  const { language, ...unstated } = record;

  it('defaults to zh-CN for a resident ID and en for a passport, takes zh-CN or en as given, and names the field for anything else', () => {
    expect(language).toBe('zh-CN');
    expect(validateEnrolment({ ...unstated }).enrolment?.language).toBe('zh-CN');
    expect(validateEnrolment({ ...unstated, category: 'C', documentType: 'passport', documentNumber: 'E12345678' }).enrolment?.language).toBe('en');
    expect(validateEnrolment({ ...unstated, language: 'en' }).enrolment?.language).toBe('en');
    expect(validateEnrolment({ ...unstated, category: 'C', documentType: 'passport', documentNumber: 'E12345678', language: 'zh-CN' }).enrolment?.language).toBe('zh-CN');
    expect(validateEnrolment({ ...unstated, language: 'fr' }).problems).toEqual([{ field: 'language', reason: 'must be zh-CN or en' }]);
  });

  it('reads the language column of a ledger', async () => {
    const rows = await readLedger(await makeLedgerFile([{ ...record, language: 'en' }], 'csv', { headers: 'zh' }), '台账.csv');
    expect(validateEnrolment(rows[0].record).enrolment?.language).toBe('en');
  });
});

describe('readLedger', () => {
  it.each([
    ['csv', 'zh'],
    ['csv', 'en'],
    ['xlsx', 'zh'],
    ['xlsx', 'en'],
  ] as const)('round-trips a %s ledger with %s headers into valid enrolments', async (format, headers) => {
    const records = makeLedgerRecords(60, { seed: 3, subdistrict: 'HD01', communities: ['燕园社区', '中关村社区'] });
    const rows = await readLedger(await makeLedgerFile(records, format, { headers }), `台账.${format.toUpperCase()}`);

    expect(rows.map((r) => r.row)).toEqual(records.map((_, index) => index + 2));
    rows.forEach(({ record }, index) => {
      const result = validateEnrolment(record);
      expect(result.problems).toEqual([]);
      expect(result.enrolment).toEqual(validateEnrolment({ ...records[index] }).enrolment);
    });
  });

  it('reads a csv without a BOM and Excel-style text dates', async () => {
    const [person] = makeLedgerRecords(1, { seed: 4 });
    const csv = [
      'Name,Document Number,MOBILE,subdistrict,community,building,unit,category,anchor date,responsible worker',
      `${person.name},${person.documentNumber},${person.mobile},XYL,学院路社区,3,2,a,2024/3/5,${person.responsibleWorker}`,
    ].join('\n');
    const [row] = await readLedger(Buffer.from(csv, 'utf8'), 'ledger.csv');
    expect(row.record).toMatchObject({ name: person.name, anchorDate: '2024-03-05', address: { building: '3', unit: '2' } });
    expect(validateEnrolment(row.record).problems).toEqual([]);
  });

  it('reads xlsx date cells, numeric IDs and phones, rich text, hyperlinks and formula results from the first sheet', async () => {
    const [person] = makeLedgerRecords(1, { seed: 5 });
    const documentNumber = residentIdSafeAsNumber();
    const file = await xlsxFromRows((workbook) => {
      const sheet = workbook.addWorksheet('台账');
      sheet.addRow(['序号', ' 姓 名 ', '身份证号', '手机', '街道', '社区', '楼栋', '单元', '人员类别', '锚定日期', '责任社工', '门磁']);
      const base = [person.name, Number(documentNumber), 13800138000, 'XYL', '学院路社区', 3, 2, 'B'];
      sheet.addRow([1, ...base, new Date(Date.UTC(2024, 2, 1)), person.responsibleWorker, null]);
      sheet.addRow([2, { richText: [{ text: person.name.slice(0, 1) }, { font: { bold: true }, text: person.name.slice(1) }] }, ...base.slice(1), 45352, person.responsibleWorker, { text: 'DS-1', hyperlink: 'https://example.org/ds-1' }]);
      sheet.addRow([3, ...base, { formula: 'DATE(2024,3,2)', result: 45353 }, { formula: 'A1', result: person.responsibleWorker }, null]);
      workbook.addWorksheet('说明').addRow(['姓名 is not read from here']);
    });

    const rows = await readLedger(file, 'ledger.xlsx');

    expect(rows.map((r) => r.record.anchorDate)).toEqual(['2024-03-01', '2024-03-01', '2024-03-02']);
    for (const { record } of rows) {
      expect(record).toMatchObject({ name: person.name, documentNumber, mobile: '13800138000', address: { building: '3', unit: '2' }, responsibleWorker: person.responsibleWorker });
      expect(validateEnrolment(record).problems).toEqual([]);
    }
    expect(rows[1].record.devices).toEqual({ doorSensorId: 'DS-1' });
  });

  it('says when an ID was stored as a number, which keeps only 15 digits', async () => {
    const [person] = makeLedgerRecords(1, { seed: 13 });
    const header = ['姓名', '身份证号', '手机', '街道', '社区', '楼栋', '单元', '人员类别', '锚定日期', '责任社工'];
    const cells = (documentNumber: unknown) => [person.name, documentNumber, 13800138000, 'XYL', '学院路社区', 3, 2, 'B', '2024-03-01', person.responsibleWorker];
    const xlsx = await xlsxFromRows((workbook) => {
      const sheet = workbook.addWorksheet('台账');
      sheet.addRow(header);
      sheet.addRow(cells(Number('110105194912310021')));
      sheet.addRow(cells(person.documentNumber));
    });
    const csv = stringify([header, cells('1.10105E+17')]);

    const [number, text] = await readLedger(xlsx, 'a.xlsx');
    const [fromCsv] = await readLedger(Buffer.from(csv), 'a.csv');

    expect(number.hints).toEqual({ documentNumber: expect.stringContaining('keeps only 15 digits') });
    expect(fromCsv.hints).toEqual(number.hints);
    expect(text.hints).toBeUndefined();
  });

  it('reads the Date anchor dates that writeTable puts in an xlsx', async () => {
    const [person] = makeLedgerRecords(1, { seed: 12 });
    const columns = LEDGER_COLUMNS.map((column) => ({ key: column.en, header: column.zh }));
    const row = { ...person, ...person.address, anchorDate: new Date(Date.UTC(2024, 1, 29)) };
    const [read] = await readLedger(await writeTable(columns, [row], 'xlsx'), 'a.xlsx');
    expect(read.record.anchorDate).toBe('2024-02-29');
    expect(validateEnrolment(read.record).problems).toEqual([]);
  });

  it('finds the header below a title row', async () => {
    const [header, first]: string[][] = parseCsv(await makeLedgerFile(makeLedgerRecords(1, { seed: 10 }), 'csv'), { bom: true });
    const csv = stringify([['学院路社区居家观察人员台账'], ['填报日期：2024年3月2日'], header, first]);
    const rows = await readLedger(Buffer.from(csv), 'a.csv');
    expect(rows.map((r) => r.row)).toEqual([4]);
    expect(validateEnrolment(rows[0].record).problems).toEqual([]);
  });

  it('names every missing column', async () => {
    const error = await domainError(() => readLedger(Buffer.from('姓名,证件号码,街道,社区,楼号,单元,类别,锚定日期\n张三,1,XYL,学院路社区,3,2,A,2024-03-01\n'), 'a.csv'));
    expect(error.kind).toBe('invalid');
    expect(error.problems).toEqual([
      { field: 'file', reason: 'missing column mobile (手机号)' },
      { field: 'file', reason: 'missing column responsibleWorker (责任社工)' },
    ]);
  });

  it('treats an empty file as one with no header row', async () => {
    const error = await domainError(() => readLedger(Buffer.from('\n\n'), 'empty.csv'));
    expect(error.problems).toHaveLength(LEDGER_COLUMNS.filter((column) => column.required).length);
    expect(error.problems[0]).toEqual({ field: 'file', reason: 'missing column name (姓名)' });
  });

  it('refuses a column given twice', async () => {
    const header = LEDGER_COLUMNS.map((column) => column.zh).join(',');
    const error = await domainError(() => readLedger(Buffer.from(`${header},手机\n`), 'a.csv'));
    expect(error.problems).toEqual([{ field: 'file', reason: 'column mobile (手机号) appears 2 times' }]);
  });

  it.each(['ledger.xls', 'ledger.txt', 'ledger'])('refuses %s', async (fileName) => {
    const error = await domainError(() => readLedger(Buffer.from('姓名\n'), fileName));
    expect(error.problems).toEqual([{ field: 'file', reason: 'must be .csv or .xlsx' }]);
  });

  it('refuses a csv that is not UTF-8', async () => {
    const gbk = Buffer.from([0xd0, 0xd5, 0xc3, 0xfb, 0x0a]); // 姓名 in GBK
    const error = await domainError(() => readLedger(gbk, 'a.csv'));
    expect(error.problems[0].reason).toMatch(/UTF-8/);
  });

  it('refuses a corrupt or truncated xlsx', async () => {
    const good = await makeLedgerFile(makeLedgerRecords(50), 'xlsx');
    // Zeroed compressed data: on its own, ExcelJS's streaming reader waits forever on this file.
    const damaged = Buffer.from(good).fill(0, Math.floor(good.length * 0.3), Math.floor(good.length * 0.3) + 16);
    for (const file of [Buffer.from('not a workbook'), good.subarray(0, good.length >> 1), damaged, Buffer.alloc(0)]) {
      const error = await domainError(() => readLedger(file, 'a.xlsx'));
      expect(error.problems).toEqual([{ field: 'file', reason: expect.stringMatching(/^is not a readable \.xlsx workbook/) }]);
    }
  });

  it('skips blank rows but keeps the sheet row numbers', async () => {
    const [header, first, second]: string[][] = parseCsv(await makeLedgerFile(makeLedgerRecords(2, { seed: 9 }), 'csv'), { bom: true });
    const people = await readLedger(Buffer.from(stringify([header, first, second])), 'a.csv');

    // header, blank line, first, a row of empty cells, second
    const csv = `${stringify([header])}\n${stringify([first])},,,,\n${stringify([second])}`;
    expect(await readLedger(Buffer.from(csv), 'a.csv')).toEqual([
      { row: 3, record: people[0].record },
      { row: 5, record: people[1].record },
    ]);

    const xlsx = await xlsxFromRows((workbook) => {
      const sheet = workbook.addWorksheet('台账');
      sheet.getRow(1).values = ['序号', ...header];
      sheet.getRow(4).values = [1, ...first];
      sheet.getRow(5).values = [2]; // a numbered template row nobody filled in
      sheet.getRow(6).values = [3, '  '];
      sheet.getRow(9).values = [4, ...second];
    });
    expect(await readLedger(xlsx, 'a.xlsx')).toEqual([
      { row: 4, record: people[0].record },
      { row: 9, record: people[1].record },
    ]);
  });

  it.each(['csv', 'xlsx'] as const)('reads a 17,000-row %s ledger', async (format) => {
    const file = await makeLedgerFile(makeLedgerRecords(17_000, { seed: 11 }), format);
    const started = performance.now();
    const rows = await readLedger(file, `big.${format}`);
    console.log(`readLedger: 17,000 ${format} rows (${(file.length / 1e6).toFixed(1)} MB) in ${Math.round(performance.now() - started)} ms`);
    expect(rows).toHaveLength(17_000);
    expect(rows[16_999].row).toBe(17_001);
    expect(validateEnrolment(rows[16_999].record).problems).toEqual([]);
  });
});

describe('ledger limits', () => {
  it(`refuses a ledger of more than ${MAX_LEDGER_ROWS.toLocaleString('en')} rows, naming the limit`, async () => {
    const error = await domainError(async () => readLedger(await makeCsvOfCopies(MAX_LEDGER_ROWS + 1), 'big.csv'));
    expect(error.kind).toBe('invalid');
    expect(error.problems).toEqual([{ field: 'file', reason: 'has more than 50,000 rows, the most a ledger may hold; split it into files of at most that many' }]);
    await expect(readLedger(await makeCsvOfCopies(MAX_LEDGER_ROWS), 'most.csv')).resolves.toHaveLength(MAX_LEDGER_ROWS);
  });

  it('refuses a workbook that unpacks to more than 200 MiB before unpacking it', async () => {
    const bomb = makeZipBomb(3, 70); // 210 MiB of zeros in about 200 kB
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const error = await readLedger(bomb, 'bomb.xlsx').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LedgerTooLarge);
    expect((error as LedgerTooLarge).problems).toEqual([{ field: 'file', reason: 'unpacks to 210 MiB, more than the 200 MiB a ledger workbook may hold; split the ledger' }]);
  });
});

describe('readLedgerOffThread', () => {
  /** The longest the event loop went without turning while `work` ran. */
  async function longestStall(work: () => Promise<unknown>): Promise<number> {
    let last = performance.now();
    let longest = 0;
    const timer = setInterval(() => {
      longest = Math.max(longest, performance.now() - last);
      last = performance.now();
    }, 5);
    await work();
    await new Promise((resolve) => setTimeout(resolve, 20)); // a stall at the very end shows at the next tick
    clearInterval(timer);
    return longest;
  }

  it('reads a ledger into import rows, and its refusals arrive as the reader threw them', async () => {
    const records = makeLedgerRecords(2_500, { seed: 22 });
    const read = await readLedgerOffThread(await makeLedgerFile(records, 'xlsx'), 'a.xlsx');
    const rows = read.chunks.flatMap((chunk) => JSON.parse(chunk));
    expect(read.rowCount).toBe(2_500);
    expect(read.chunks).toHaveLength(2);
    expect(rows[2_499]).toEqual({ seq: 2_499, row: 2_501, record: (await readLedger(await makeLedgerFile(records.slice(-1), 'xlsx'), 'b.xlsx'))[0].record, hints: null });

    const unknown = await domainError(() => readLedgerOffThread(Buffer.from('x'), 'a.pdf'));
    expect(unknown.problems).toEqual([{ field: 'file', reason: 'must be .csv or .xlsx' }]);
    await expect(readLedgerOffThread(makeZipBomb(3, 70), 'bomb.xlsx')).rejects.toBeInstanceOf(LedgerTooLarge);
  });

  it('keeps the event loop turning while the largest ledger allowed is read', async () => {
    const file = await makeCsvOfCopies(MAX_LEDGER_ROWS);
    await readLedgerOffThread(Buffer.from('x'), 'warm-up.pdf').catch(() => undefined); // the thread is started once per process
    const offThread = await longestStall(() => readLedgerOffThread(file, 'big.csv'));
    const onThread = await longestStall(() => readLedger(file, 'big.csv'));
    console.log(`readLedger of ${MAX_LEDGER_ROWS} csv rows: the event loop stalled at most ${Math.round(offThread)} ms off the main thread, ${Math.round(onThread)} ms on it`);
    expect(offThread).toBeLessThan(500);
    expect(onThread).toBeGreaterThan(offThread);
  });
});

describe('writeTable', () => {
  const columns = [
    { key: 'value', header: '值' },
    { key: 'at', header: '=时间' },
  ];
  const dangerous = ['=1+2', '+SUM(A1:A2)', '-2+3', '@cmd', '\t=1', '=HYPERLINK("http://x","y")'];
  const harmless = ['+8613800138000', '-5', '张三', 'a=b'];
  const at = new Date('2024-03-01T08:30:00.000Z');
  const rows = [...dangerous, ...harmless].map((value) => ({ value, at }));

  it('writes csv with a BOM, ISO dates and defused formulas', async () => {
    const file = await writeTable(columns, [...rows, { value: { formula: '1+1' }, at: null }], 'csv');
    expect(file.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const [header, ...body]: string[][] = parseCsv(file.toString('utf8'), { bom: true });
    expect(header).toEqual(['值', "'=时间"]);
    expect(body.map((row) => row[0])).toEqual([...dangerous.map((v) => `'${v}`), ...harmless, '{"formula":"1+1"}']);
    expect(body[0][1]).toBe('2024-03-01T08:30:00.000Z');
    expect(body[body.length - 1][1]).toBe('');
  });

  it('writes xlsx with text cells, never formulas, and real dates', async () => {
    const file = await writeTable(columns, [...rows, { value: { formula: '1+1' }, at: null }], 'xlsx', { sheetName: '观察/日志:2024' });
    const workbook = await loadWorkbook(file);
    const sheet = workbook.worksheets[0];
    expect(sheet.name).toBe('观察_日志_2024');
    const values: unknown[] = [];
    sheet.eachRow((row, number) => {
      if (number === 1) return;
      expect(row.getCell(1).type).toBe(ExcelJS.ValueType.String);
      values.push(row.getCell(1).value);
    });
    expect(values).toEqual([...dangerous.map((v) => `'${v}`), ...harmless, '{"formula":"1+1"}']);
    expect(sheet.getCell('B2').value).toEqual(at);
    expect(sheet.getCell('B2').numFmt).toBe('yyyy-mm-dd hh:mm:ss');
  });

  it('writes instants as the wall time of the given time zone, csv naming the offset', async () => {
    const instantColumns = [{ key: 'at', header: 'at', instant: true }, { key: 'plain', header: 'plain' }];
    const row = { at: '2024-03-01T20:30:00.000Z', plain: '2024-03-01T20:30:00.000Z' };
    const options = { timeZone: 'Asia/Shanghai' };

    const [, csvRow]: string[][] = parseCsv((await writeTable(instantColumns, [row, { at: null }], 'csv', options)).toString('utf8'), { bom: true });
    const sheet = (await loadWorkbook(await writeTable(instantColumns, [row], 'xlsx', options))).worksheets[0];

    expect(csvRow).toEqual(['2024-03-02T04:30:00+08:00', '2024-03-01T20:30:00.000Z']);
    expect(Date.parse(csvRow[0])).toBe(Date.parse(row.at));
    expect(sheet.getCell('A2').value).toEqual(new Date('2024-03-02T04:30:00.000Z'));
    expect(sheet.getCell('A2').numFmt).toBe('yyyy-mm-dd hh:mm:ss');
  });

  it('writes numbers as numbers and names its content types', async () => {
    const file = await writeTable([{ key: 'n', header: 'n' }], [{ n: 13800138000 }, { n: 1.5 }, { n: true }], 'xlsx');
    const workbook = await loadWorkbook(file);
    expect(workbook.worksheets[0].getColumn(1).values.slice(2)).toEqual([13800138000, 1.5, 'true']);
    expect(TABLE_CONTENT_TYPE).toEqual({ csv: 'text/csv; charset=utf-8', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
  });
});
