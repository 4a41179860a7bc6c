/**
 * A dispatcher's manifest turned into the planner's input, judged row by row. Pure: the API and
 * the tests read a manifest the same way.
 */
import type { FieldProblem } from '../../../libs/domain/errors';
import { validateEnrolment } from '../../../libs/domain/person/enrolment';
import { passportProblem, residentIdProblem } from '../../../libs/domain/person/resident-id';
import { localDate } from '../../../libs/domain/local-time';
import { Destination, Escort, ManifestError, Traveller, validateManifest, Vehicle } from '../../../workflows/transfer/transfer-planning';
import type { MeetingPoint, RunKind } from '../../../workflows/transfer/transfer.messages';
import type { RunResources, TransferTraveller } from '../../../libs/persistence/transfer/transfer-run.repository';

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
  /** Home-bound: where the home observation is kept. */
  address?: unknown;
  /** Home-bound: default the destination community's worker. */
  responsibleWorker?: unknown;
}

/** A traveller as stored in transfer_traveller: identity, and the planner's fields. */
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
    };
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
      address: home ? (row.address as Record<string, string>) : null,
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
