/**
 * Transfer runs for tests: resources in the registry under a prefix of the test's own, record-like
 * manifests with identities, and a driver that takes dispatched trips through their legs.
 */
import { Client, WorkflowHandle } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DAY_START, transferDay } from '../../bench/transfer-plan-bench';
import { AppConfig } from '../../libs/config/config';
import { ManifestRow } from '../../libs/transfer/manifest';
import { TransferResourceRepository } from '../../libs/persistence/transfer/transfer-resource.repository';
import { TransferRunRepository } from '../../libs/persistence/transfer/transfer-run.repository';
import { TransferRunLauncher } from '../../libs/transfer/run-launcher';
import { RunRequest, TransferRunStarter } from '../../libs/transfer/run-starter';
import { DEFAULT_TRANSFER_RULES } from '../../workflows/transfer/transfer-planning';
import { MINUTE } from '../../libs/domain/local-time';
import {
  arriveUpdate,
  boardUpdate,
  departUpdate,
  DEFAULT_RUN_RULES,
  handOverUpdate,
  RunView,
  transferTripWorkflowId,
  tripStateQuery,
  TripView,
} from '../../workflows/transfer/transfer.messages';
import { freshResidentId } from '../support/observation-fixtures';
import { updateWithin } from '../support/deadline';
import { eventually } from '../support/eventually';

/** The run starter on a test's own data source and client, as the API and the worker build it. */
export function transferRunStarter(db: DataSource, client: Client, config: AppConfig): TransferRunStarter {
  const runs = new TransferRunRepository(db);
  return new TransferRunStarter(runs, new TransferResourceRepository(db), new TransferRunLauncher(client, config, runs), config);
}

export interface Registry {
  prefix: string;
  sortingPointId: string;
  vehicleIds: string[];
  escortIds: string[];
  /** Registry id of each bench destination id. */
  destination: (benchId: string) => string;
}

/** Registers a sorting point and the day's destinations, vehicles and escorts under a fresh prefix. */
export async function registerResources(
  db: DataSource,
  resources: { destinations: Array<{ destinationId: string; kind: string; name: string; travelMinutes: number; capacity?: number }>; vehicles: Array<{ vehicleId: string; seats: number }>; escorts: Array<{ escortId: string }> },
): Promise<Registry> {
  const prefix = `t${randomUUID().slice(0, 8)}`;
  const id = (x: string) => `${prefix}-${x}`;
  await db.query(`INSERT INTO transfer_sorting_point (id, name, address) VALUES ($1, 'Shunyi New Expo sorting point', '顺义新国展')`, [id('SP')]);
  for (const d of resources.destinations) {
    await db.query(`INSERT INTO transfer_destination (id, kind, name, travel_minutes, capacity, receiver, worker) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
      id(d.destinationId),
      d.kind,
      d.name,
      d.travelMinutes,
      d.capacity ?? null,
      `desk ${d.name}`,
      d.kind === 'community' ? `worker ${d.name}` : null,
    ]);
  }
  for (const v of resources.vehicles) {
    await db.query(`INSERT INTO transfer_vehicle (id, plate, seats, driver_name, driver_contact) VALUES ($1, $2, $3, $4, $5)`, [id(v.vehicleId), `京A·${prefix}${v.vehicleId}`, v.seats, `driver ${v.vehicleId}`, '13900000000']);
  }
  for (const e of resources.escorts) await db.query(`INSERT INTO transfer_escort (id, name, contact) VALUES ($1, $2, '13700000000')`, [id(e.escortId), `escort ${e.escortId}`]);
  return {
    prefix,
    sortingPointId: id('SP'),
    vehicleIds: resources.vehicles.map((v) => id(v.vehicleId)),
    escortIds: resources.escorts.map((e) => id(e.escortId)),
    destination: id,
  };
}

/** One community and `vans` 4-seat vans with an escort each and one spare, as a small run's resources. */
export function communityVans(vans: number): Parameters<typeof registerResources>[1] {
  return {
    destinations: [{ destinationId: 'community-1', kind: 'community', name: 'Meilong community', travelMinutes: 20 }],
    vehicles: Array.from({ length: vans }, (_, i) => ({ vehicleId: `V${i + 1}`, seats: 4 })),
    escorts: Array.from({ length: vans + 1 }, (_, i) => ({ escortId: `E${i + 1}` })),
  };
}

/** A manifest row with an identity; home-bound rows carry the address their observation starts at. */
export function manifestRow(destinationId: string, home: boolean, arrivalTime: number, extra: Partial<ManifestRow> = {}): ManifestRow {
  return {
    name: `旅客${randomUUID().slice(0, 4)}`,
    documentType: 'resident_id',
    documentNumber: freshResidentId(),
    mobile: '13800138000',
    arrivalTime: new Date(arrivalTime).toISOString(),
    destinationId,
    disposition: home ? 'home_observation' : 'centralized_quarantine',
    address: home ? { subdistrict: 'XYL', community: destinationId, building: '3', unit: '2' } : undefined,
    ...extra,
  };
}

/**
 * The record day (245 people, 8 vehicles) from the planner's benchmark, registered and shifted so
 * the day began `hoursAgo` hours before `now`.
 */
export async function recordDay(db: DataSource, now: number, hoursAgo = 12): Promise<{ registry: Registry; request: Omit<RunRequest, 'dispatcher' | 'supervisor'> }> {
  const day = transferDay({ travellers: 245, vehicles: 8 });
  const registry = await registerResources(db, day);
  const shift = now - hoursAgo * 60 * MINUTE - DAY_START;
  const travellers = day.travellers.map((t) =>
    manifestRow(registry.destination(t.destinationId), t.disposition === 'home_observation', t.arrivalTime + shift, { keyPerson: t.keyPerson || undefined, familyGroup: t.familyGroup }),
  );
  return { registry, request: { sortingPointId: registry.sortingPointId, vehicleIds: registry.vehicleIds, escortIds: registry.escortIds, travellers } };
}

/** When the run dispatches a planned trip (its boarding less the lead). */
export function dispatchAt(trip: RunView['trips'][number], rules: { loadingMinutes?: number; dispatchLeadMinutes?: number } = {}): number {
  return trip.departAt - ((rules.loadingMinutes ?? DEFAULT_TRANSFER_RULES.loadingMinutes) + (rules.dispatchLeadMinutes ?? DEFAULT_RUN_RULES.dispatchLeadMinutes)) * MINUTE;
}

/**
 * The trip's state, as an escort's app reads it: asked again while it cannot be answered, as just
 * after a worker crash, when the workflow's tasks still wait for the dead worker (up to the sticky-queue timeout).
 */
function tripState(trip: WorkflowHandle): Promise<TripView> {
  return eventually(() => trip.query(tripStateQuery), () => true, { what: `state of ${trip.workflowId}`, timeoutMs: 120_000, intervalMs: 1_000 });
}

/** Takes a dispatched trip through boarding, departure, arrival and every hand-over, by the escort and receiver. */
export async function driveTrip(client: Client, runId: string, tripId: string, options: { names?: Map<string, string>; stopAfter?: 'departed' | 'arrived' } = {}): Promise<TripView> {
  const trip = client.workflow.getHandle(transferTripWorkflowId(runId, tripId));
  let view = await tripState(trip);
  for (const r of view.riders.filter((x) => x.status === 'listed')) {
    await updateWithin(client, trip, boardUpdate, { travellerId: r.travellerId, by: 'escort' });
  }
  if (view.leg === 'dispatched' || view.leg === 'boarding') view = await updateWithin(client, trip, departUpdate, { by: 'escort' });
  if (options.stopAfter === 'departed') return view;
  if (view.leg === 'departed') view = await updateWithin(client, trip, arriveUpdate, { by: 'escort' });
  if (options.stopAfter === 'arrived') return view;
  return handOverAll(client, runId, tripId);
}

export async function handOverAll(client: Client, runId: string, tripId: string): Promise<TripView> {
  const trip = client.workflow.getHandle(transferTripWorkflowId(runId, tripId));
  let view = await tripState(trip);
  const role = view.destinationId.includes('hotel') ? 'hotel_staff' : 'community_worker';
  for (const r of view.riders.filter((x) => x.status === 'on_board')) {
    const receiver = { name: `receiver at ${view.destinationId}`, role } as const;
    view = await updateWithin(client, trip, handOverUpdate, { travellerId: r.travellerId, receiver, by: 'escort' });
  }
  return view;
}
