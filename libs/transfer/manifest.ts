/**
 * A dispatcher's manifest turned into the planner's input, judged row by row. Pure: the API, a
 * decision's pick-up run (the worker) and the tests read a manifest the same way.
 */
import type { FieldProblem } from '../domain/errors';
import { DOCUMENT_TYPE_LABELS, LedgerColumn, sheetLayout } from '../observation/ledger/ledger-reader';
import { validateEnrolment } from '../domain/person/enrolment';
import { passportProblem, residentIdProblem } from '../domain/person/resident-id';
import { localDate } from '../domain/local-time';
import { Destination, Escort, ManifestError, Traveller, validateManifest, Vehicle } from '../../workflows/transfer/transfer-planning';
import type { MeetingPoint, RunKind } from '../../workflows/transfer/transfer.messages';
import type { RunResources, TransferTraveller } from '../persistence/transfer/transfer-run.repository';

export interface ManifestRow {
  name?: unknown;
  documentType?: unknown;
  documentNumber?: unknown;
  mobile?: unknown;
  /** ISO date-time the person is ready at the sorting point (key-person runs: the meeting time). */
  arrivalTime?: unknown;
  destinationId?: unknown;
  disposition?: unknown;
  keyPerson?: unknown;
  familyGroup?: unknown;
  /** Home-bound: where the home observation is kept; picked up: where the escort fetches the person. */
  address?: unknown;
  /** Fetched at `address` (a pick-up leg before the trip) instead of boarding at the sorting point; `arrivalTime` is when they are ready at the door. */
  pickup?: unknown;
  /** Home-bound: default the destination community's worker. */
  responsibleWorker?: unknown;
}

/** A traveller as stored in transfer_traveller: identity, and the planner's fields. */
/** How each disposition is written in a manifest. */
export const DISPOSITION_LABELS: Record<Traveller['disposition'], string[]> = {
  home_observation: ['居家观察', '居家隔离', '回家'],
  centralized_quarantine: ['集中隔离', '隔离酒店'],
  hospital: ['医院', '送医'],
};

/**
 * A manifest as a table (.csv or .xlsx): one definition of its columns, which the reader matches
 * (by the Chinese or the English header) and the template is written from.
 */
export const MANIFEST_COLUMNS: readonly LedgerColumn[] = [
  { path: 'name', zh: '姓名', en: 'name', required: true },
  { path: 'documentType', zh: '证件类型', en: 'documentType', values: DOCUMENT_TYPE_LABELS },
  { path: 'documentNumber', zh: '证件号码', en: 'documentNumber', aliases: ['身份证号', '护照号'], required: true },
  { path: 'mobile', zh: '手机号', en: 'mobile', aliases: ['手机'] },
  { path: 'arrivalTime', zh: '到达分拣点时间', en: 'arrivalTime', aliases: ['到达时间'], kind: 'dateTime' },
  { path: 'destinationId', zh: '目的地编号', en: 'destinationId', aliases: ['目的地'], required: true },
  { path: 'disposition', zh: '去向', en: 'disposition', required: true, values: DISPOSITION_LABELS },
  { path: 'keyPerson', zh: '重点人员', en: 'keyPerson', kind: 'flag' },
  { path: 'familyGroup', zh: '家庭', en: 'familyGroup', aliases: ['同行家庭'] },
  { path: 'pickup', zh: '上门接人', en: 'pickup', kind: 'flag' },
  { path: 'address.subdistrict', zh: '街道', en: 'subdistrict' },
  { path: 'address.community', zh: '社区', en: 'community' },
  { path: 'address.building', zh: '楼号', en: 'building', aliases: ['楼栋'] },
  { path: 'address.unit', zh: '单元', en: 'unit' },
  { path: 'address.detail', zh: '详细地址', en: 'detail' },
  { path: 'responsibleWorker', zh: '责任社工', en: 'responsibleWorker' },
];

/** Rows a manifest may hold: as many as POST /transfer-runs takes. */
export const MAX_MANIFEST_ROWS = 5_000;

export const MANIFEST_LAYOUT = sheetLayout(MANIFEST_COLUMNS, MAX_MANIFEST_ROWS, 'manifest');

export type ManifestTraveller = Pick<TransferTraveller, 'travellerId' | 'row' | 'name' | 'documentType' | 'documentNumber' | 'mobile' | 'address' | 'responsibleWorker'> & {
  planned: Traveller;
};

export function travellerIdOf(index: number): string {
  return `T${String(index + 1).padStart(3, '0')}`;
}

const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

/** The planner's view of the run's resources: ids only where a name would be personal. */
export function plannerResources(resources: RunResources, availableFrom: number): { vehicles: Vehicle[]; escorts: Escort[]; destinations: Destination[] } {
  return {
    vehicles: resources.vehicles.map((v) => ({ vehicleId: v.id, plate: v.plate, seats: v.seats, availableFrom, available: true })),
    escorts: resources.escorts.map((e) => ({ escortId: e.id, name: e.id, availableFrom })),
    destinations: resources.destinations.map((d) => ({
      destinationId: d.id,
      kind: d.kind,
      name: d.name,
      travelMinutes: d.travelMinutes,
      capacity: d.capacity ?? undefined,
    })),
  };
}

function plannerField(error: ManifestError): string {
  if (error.table !== 'travellers') return `${error.table}[${error.row - 1}].${error.field}`;
  const field = error.field === 'travellerId' ? 'row' : error.field;
  return `travellers[${error.row - 1}].${field}`;
}

/**
 * Every row's problems, each naming `travellers[i].field`: the planner's checks (destination,
 * disposition, families), the identity, and for home-bound people the enrolment their hand-over
 * will make (validateEnrolment, category C, anchor date = arrival). Returns the travellers when clean.
 */
export function readManifest(
  rows: ManifestRow[],
  resources: RunResources,
  options: { kind: RunKind; meeting?: MeetingPoint; utcOffsetMinutes: (at: number) => number; now: number },
): { travellers?: ManifestTraveller[]; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const destinations = new Map(resources.destinations.map((d) => [d.id, d]));
  const seen = new Map<string, number>();
  const travellers = rows.map((row, i): ManifestTraveller => {
    const field = (name: string) => `travellers[${i}].${name}`;
    const report = (name: string, reason: string) => problems.push({ field: field(name), reason });
    let arrivalTime = options.meeting?.at ?? NaN;
    if (options.kind === 'standard' || row.arrivalTime !== undefined) {
      arrivalTime = typeof row.arrivalTime === 'string' ? Date.parse(row.arrivalTime) : NaN;
      if (!Number.isFinite(arrivalTime)) report('arrivalTime', 'must be an ISO date-time');
    }
    const destinationId = text(row.destinationId);
    const disposition = text(row.disposition);
    const documentType = text(row.documentType) || 'resident_id';
    const documentNumber = text(row.documentNumber).toUpperCase();
    const planned: Traveller = {
      travellerId: travellerIdOf(i),
      name: travellerIdOf(i),
      arrivalTime,
      destinationId,
      disposition: disposition as Traveller['disposition'],
      keyPerson: options.kind === 'key_person' || row.keyPerson === true,
      familyGroup: options.kind === 'key_person' ? 'key-person' : text(row.familyGroup) || undefined,
      ...(row.pickup === true ? { pickup: true } : {}),
    };
    if (row.keyPerson !== undefined && typeof row.keyPerson !== 'boolean') report('keyPerson', 'must be true or false');
    if (row.pickup !== undefined && typeof row.pickup !== 'boolean') report('pickup', 'must be true or false');
    const pickup = row.pickup === true;
    if (pickup && !Object.values((row.address ?? {}) as Record<string, unknown>).some((v) => typeof v === 'string' && v.trim())) report('address', 'is required: the escort fetches the person there');
    const destination = destinations.get(destinationId);
    const home = disposition === 'home_observation';
    if (home && Number.isFinite(arrivalTime)) {
      const { problems: enrolment } = validateEnrolment(
        {
          name: row.name,
          documentType,
          documentNumber,
          mobile: row.mobile,
          address: row.address,
          category: 'C',
          anchorDate: localDate(arrivalTime, options.utcOffsetMinutes(arrivalTime)),
          responsibleWorker: row.responsibleWorker ?? destination?.worker ?? undefined,
        },
        new Date(Math.max(options.now, arrivalTime)),
      );
      for (const p of enrolment) {
        const noWorker = p.field === 'responsibleWorker' && row.responsibleWorker === undefined;
        report(p.field, noWorker ? `is required: destination ${destinationId} names no community worker` : p.reason);
      }
    } else {
      if (!text(row.name)) report('name', 'is required');
      if (!documentNumber) report('documentNumber', 'is required');
      else if (documentType !== 'resident_id' && documentType !== 'passport') report('documentType', 'must be resident_id or passport');
      else {
        const problem = documentType === 'passport' ? passportProblem(documentNumber) : residentIdProblem(documentNumber);
        if (problem) report('documentNumber', problem);
      }
    }
    if (documentNumber) {
      const key = `${documentType}:${documentNumber}`;
      if (seen.has(key)) report('documentNumber', `the same person as row ${seen.get(key)! + 1}`);
      else seen.set(key, i);
    }
    return {
      travellerId: planned.travellerId,
      row: i + 1,
      name: text(row.name),
      documentType,
      documentNumber,
      mobile: text(row.mobile).replace(/[\s-]/g, '') || null,
      address: home || pickup ? (row.address as Record<string, string>) : null,
      responsibleWorker: home ? text(row.responsibleWorker) || destination?.worker || null : null,
      planned,
    };
  });
  const planner = plannerResources(resources, options.now);
  for (const error of validateManifest({ travellers: travellers.map((t) => t.planned), ...planner })) {
    if (!problems.some((p) => p.field === plannerField(error))) problems.push({ field: plannerField(error), reason: error.reason });
  }
  return problems.length ? { problems } : { travellers, problems };
}
