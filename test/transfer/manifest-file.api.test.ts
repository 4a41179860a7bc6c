/**
 * A dispatcher's manifest as a file, over HTTP against the dev server and PostgreSQL: the template
 * is written from the manifest's one column table and read back by the same reader the ledger
 * import uses; a file's rows come back as POST /transfer-runs takes them (sheet rows beside them,
 * local arrival times given the jurisdiction's offset, yes/no flags as booleans, codes from their
 * Chinese labels such as 身份证 and 居家观察, tab-separated rows as pasted from a spreadsheet), and a
 * bad row is then refused naming its field; a file without a required column, or of another kind,
 * is refused.
 */
import { INestApplication } from '@nestjs/common';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { DataSource } from 'typeorm';
import { MANIFEST_COLUMNS } from '../../libs/transfer/manifest';
import { httpAs, Http, signIn } from '../support/auth';
import { testConfig } from '../support/environment';
import { freshResidentId } from '../support/observation-fixtures';
import { communityVans, registerResources, Registry } from './transfer-fixtures';
import { systemPerFile } from '../support/system';

jest.setTimeout(120_000);

describe('transfer manifest files over HTTP (dev server, PostgreSQL)', () => {
  const config = testConfig();
  let api: INestApplication;
  let db: DataSource;
  let dispatcher: Http;
  let registry: Registry;

  systemPerFile(async (system) => {
    ({ api, db } = system);
    dispatcher = httpAs(api, await signIn(api, 'dispatcher'));
    registry = await registerResources(db, communityVans(2));
  }, { config, worker: false });

  const upload = (file: Buffer, name: string) => dispatcher.post('/transfer-runs/manifest').attach('file', file, name);

  it('answers a template of the manifest columns that reads back as an empty manifest', async () => {
    const zh = await dispatcher.get('/transfer-runs/manifest-template?format=csv').buffer(true).expect(200);
    expect(zh.headers['content-type']).toContain('text/csv');
    expect(zh.headers['content-disposition']).toContain('.csv');
    expect(zh.text.replace(/^\uFEFF/, '').trim()).toBe(MANIFEST_COLUMNS.map((c) => c.zh).join(','));
    const en = await dispatcher.get('/transfer-runs/manifest-template?format=csv&headers=en').buffer(true).expect(200);
    expect(en.text.replace(/^\uFEFF/, '').trim()).toBe(MANIFEST_COLUMNS.map((c) => c.en).join(','));
    const xlsx = await dispatcher
      .get('/transfer-runs/manifest-template')
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect((await upload(xlsx.body as Buffer, '转运名单.xlsx').expect(200)).body).toEqual({ travellers: [], sheetRows: [] });
  });

  it('reads a csv into the rows POST /transfer-runs takes; the bad row is then refused by its field', async () => {
    const community = registry.destination('community-1');
    const good = freshResidentId();
    const csv = stringify([
      MANIFEST_COLUMNS.map((c) => c.zh),
      MANIFEST_COLUMNS.map((c) => ({ name: '张伟', documentType: '身份证', documentNumber: good, mobile: '13800138000', arrivalTime: '2026-12-03 08:10', destinationId: community, disposition: '居家观察', keyPerson: '否', familyGroup: '张家', 'address.subdistrict': 'XYL', 'address.community': community, 'address.building': '3', 'address.unit': '2' })[c.path] ?? ''),
      [],
      MANIFEST_COLUMNS.map((c) => ({ name: '李娜', documentNumber: '110105', mobile: '13800138001', arrivalTime: '2026-12-03T08:20:00+08:00', destinationId: community, disposition: 'home_observation', keyPerson: '是', familyGroup: '张家', 'address.subdistrict': 'XYL', 'address.community': community, 'address.building': '3', 'address.unit': '2' })[c.path] ?? ''),
    ]);
    const read = (await upload(Buffer.from(csv), 'manifest.csv').expect(200)).body;
    expect(read.sheetRows).toEqual([2, 4]);
    expect(read.travellers[0]).toMatchObject({ name: '张伟', documentType: 'resident_id', disposition: 'home_observation', documentNumber: good, arrivalTime: '2026-12-03T08:10:00+08:00', keyPerson: false, address: { building: '3', unit: '2' } });
    expect(read.travellers[1]).toMatchObject({ name: '李娜', keyPerson: true, arrivalTime: '2026-12-03T08:20:00+08:00' });

    const run = { sortingPointId: registry.sortingPointId, dispatcher: '赵调度', supervisor: '王主任', vehicleIds: registry.vehicleIds, escortIds: registry.escortIds };
    const refused = await dispatcher.post('/transfer-runs').send({ ...run, travellers: read.travellers }).expect(422);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'travellers[1].documentNumber' })]);
  });

  it('reads an xlsx date cell and pasted tab-separated rows in the jurisdiction’s local time, and refuses what is not a manifest', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('名单');
    sheet.addRow(['姓名', '证件号码', '到达时间', '目的地编号', '去向', '重点人员']);
    sheet.addRow(['John Smith', 'E12345678', new Date(Date.UTC(2026, 11, 3, 9, 30)), registry.destination('community-1'), 'centralized_quarantine', true]);
    const read = (await upload(Buffer.from(await workbook.xlsx.writeBuffer()), 'm.xlsx').expect(200)).body;
    expect(read.travellers).toEqual([{ address: {}, name: 'John Smith', documentNumber: 'E12345678', arrivalTime: '2026-12-03T09:30:00+08:00', destinationId: registry.destination('community-1'), disposition: 'centralized_quarantine', keyPerson: true }]);

    // Rows copied from a spreadsheet and pasted: tab-separated.
    const pasted = `姓名\t证件号码\t到达时间\t目的地编号\t去向\n王芳\tE7654321\t2026-12-03 09:30\t${registry.destination('community-1')}\tcentralized_quarantine\n`;
    const fromPaste = (await upload(Buffer.from(pasted), 'pasted.csv').expect(200)).body;
    expect(fromPaste.travellers).toEqual([{ address: {}, name: '王芳', documentNumber: 'E7654321', arrivalTime: '2026-12-03T09:30:00+08:00', destinationId: registry.destination('community-1'), disposition: 'centralized_quarantine' }]);

    const missing = await upload(Buffer.from('姓名,证件号码\n张三,1\n'), 'm.csv').expect(422);
    expect(missing.body.errors).toEqual(expect.arrayContaining([{ field: 'file', reason: 'missing column destinationId (目的地编号)' }]));
    const other = await upload(Buffer.from('x'), 'm.pdf').expect(422);
    expect(other.body.errors).toEqual([{ field: 'file', reason: 'must be .csv or .xlsx' }]);
    const none = await dispatcher.post('/transfer-runs/manifest').field('note', 'no file').expect(422);
    expect(none.body.errors[0].field).toBe('file');
    await dispatcher.post('/transfer-runs/manifest').attach('file', Buffer.alloc(5 * 1024 * 1024 + 1, 'a'), 'big.csv').expect(413);
  });
});
