/**
 * Deterministic ledgers (台账) for tests and benchmarks: valid, distinct people from a seed, and
 * files written with the reader's own header table.
 */
import { LEDGER_COLUMNS } from '../../libs/observation/ledger/ledger-reader';
import { writeTable } from '../../libs/nest/table-file';
import type { EnrolmentRequest } from '../../libs/domain/person/enrolment';
import { residentIdCheckCharacter } from '../../libs/domain/person/resident-id';
import { crc32, deflateRawSync } from 'node:zlib';

const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹'];
const GIVEN = [...'伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华玉兰萍红建文辉力永健志宇浩然欣怡子涵'];
const REGIONS = ['110101', '110105', '110108', '310104', '420106', '440305', '510107', '330106'];
const CATEGORIES = ['A', 'B', 'C', 'D'] as const;
const DEFAULT_COMMUNITIES = ['学院路社区', '五道口社区', '双清路社区', '清华园社区', '燕园社区'];
const WORKERS_PER_COMMUNITY = 3;
const BIRTH_FROM = Date.UTC(1940, 0, 1);
const BIRTH_DAYS = 80 * 365;

/** mulberry32: a tiny seeded PRNG, so the same seed always gives the same ledger. */
function prng(seed: number): (below: number) => number {
  let state = seed >>> 0;
  return (below) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4_294_967_296) * below);
  };
}

export function makeLedgerRecords(
  count: number,
  options: { seed?: number; subdistrict?: string; communities?: string[]; anchorDate?: string } = {},
): EnrolmentRequest[] {
  const random = prng(options.seed ?? 1);
  const pick = <T>(items: readonly T[]) => items[random(items.length)];
  const communities = options.communities ?? DEFAULT_COMMUNITIES;
  const name = () => pick(SURNAMES) + Array.from({ length: 1 + random(2) }, () => pick(GIVEN)).join('');
  const workers = communities.map(() => Array.from({ length: WORKERS_PER_COMMUNITY }, name));
  const documentNumber = distinct(() => residentId(random));
  const mobile = distinct(() => `1${3 + random(7)}${String(random(1e9)).padStart(9, '0')}`);

  return Array.from({ length: count }, (_, index) => {
    const community = random(communities.length);
    const category = pick(CATEGORIES);
    const record: EnrolmentRequest = {
      name: name(),
      documentType: 'resident_id',
      documentNumber: documentNumber(),
      mobile: mobile(),
      language: 'zh-CN',
      address: {
        subdistrict: options.subdistrict ?? 'XYL',
        community: communities[community],
        building: String(1 + random(30)),
        unit: String(1 + random(6)),
        detail: `${1 + random(18)}0${1 + random(4)}`,
      },
      category,
      anchorDate: options.anchorDate ?? '2024-03-01',
      responsibleWorker: pick(workers[community]),
    };
    // Close contacts and overseas arrivals get a door sensor, as offices fit them first.
    if (category === 'A' || category === 'C') record.devices = { doorSensorId: `DS-${options.seed ?? 1}-${String(index + 1).padStart(6, '0')}` };
    return record;
  });
}

/** Draws until the value is new, so a ledger never holds two people with one ID or phone. */
function distinct(draw: () => string): () => string {
  const seen = new Set<string>();
  return () => {
    let value = draw();
    while (seen.has(value)) value = draw();
    seen.add(value);
    return value;
  };
}

function residentId(random: (below: number) => number): string {
  const birth = new Date(BIRTH_FROM + random(BIRTH_DAYS) * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
  const first17 = `${REGIONS[random(REGIONS.length)]}${birth}${String(1 + random(999)).padStart(3, '0')}`;
  return first17 + residentIdCheckCharacter(first17);
}

export async function makeLedgerFile(records: EnrolmentRequest[], format: 'csv' | 'xlsx', options: { headers?: 'zh' | 'en' } = {}): Promise<Buffer> {
  const headers = options.headers ?? 'zh';
  const columns = LEDGER_COLUMNS.map((column) => ({ key: column.path, header: column[headers] }));
  const rows = records.map((record) =>
    Object.fromEntries(
      LEDGER_COLUMNS.map((column) => {
        const value = valueAt(record, column.path);
        const label = column.values && headers === 'zh' ? column.values[value as string][0] : value;
        return [column.path, label];
      }),
    ),
  );
  return writeTable(columns, rows, format);
}

function valueAt(record: EnrolmentRequest, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], record);
}

/** A csv ledger of `count` copies of one person's row: as big as a real one, quick to make. */
export async function makeCsvOfCopies(count: number): Promise<Buffer> {
  const [header, row] = (await makeLedgerFile(makeLedgerRecords(1, { seed: 21 }), 'csv')).toString('utf8').split('\r\n');
  return Buffer.from([header, ...Array<string>(count).fill(row)].join('\r\n'), 'utf8');
}

/**
 * A zip that unpacks to `partMiB` MiB of zeros per part (a zip bomb posing as a workbook): small
 * on the wire, too big to open.
 */
export function makeZipBomb(parts: number, partMiB: number): Buffer {
  const content = Buffer.alloc(partMiB * 1024 * 1024);
  const data = deflateRawSync(content);
  const crc = crc32(content);
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  const header = (signature: number, size: number) => {
    const b = Buffer.alloc(size);
    b.writeUInt32LE(signature, 0);
    return b;
  };
  let offset = 0;
  for (let i = 0; i < parts; i++) {
    const name = Buffer.from(`xl/worksheets/sheet${i + 1}.xml`);
    const local = header(0x04034b50, 30);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(content.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = header(0x02014b50, 46);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(content.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts, 8);
  end.writeUInt16LE(parts, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
