import { MINUTE } from '../../libs/domain/local-time';
/**
 * Closed-loop transfer planning: which arriving travellers ride which vehicle, with which escort,
 * and when. Pure and deterministic (no clock, no randomness, no I/O): the run workflow re-plans
 * after a breakdown and must replay identically.
 *
 * A trip boards at the sorting point, drives to ONE destination, unloads and drives back:
 *   boardAt  ≥ last passenger ready, vehicle back, escort free
 *   departAt = boardAt + loading;  arriveAt = departAt + travel;  returnAt = arriveAt + unloading + travel.
 * A traveller's wait is departAt − arrivalTime: the time spent at the sorting point, boarding included.
 * A pick-up trip (people fetched from home) leaves the sorting point empty and boards at the door:
 *   departAt = boardAt + pickup drive + loading; the rest as above (a destination's travel time stands for
 *   the drive from the address too). Each home is a trip of its own, with one escort (a key person's escorts).
 *
 * Batching is a simulation over time. People for one destination gather at the sorting point and
 * their trip boards when the biggest free vehicle would be full, when the first of them would otherwise
 * leave later than maxWaitMinutes, or when nobody else for that destination is still to come. Fewer trips cost waiting;
 * maxWaitMinutes is the knob (Infinity: always fill vehicles). It is a batching window, not a promise:
 * when every vehicle or escort is out, people wait longer, and stats.maxWaitMinutes shows it.
 */


export const DISPOSITIONS = ['home_observation', 'centralized_quarantine', 'hospital'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];
export const DESTINATION_KINDS = ['community', 'hotel', 'hospital'] as const;
export type DestinationKind = (typeof DESTINATION_KINDS)[number];

/** Home observation is served in the community, centralized quarantine in a hotel (the centralized site is one), treatment in a hospital. */
const DISPOSITION_AT: Record<DestinationKind, Disposition> = {
  community: 'home_observation',
  hotel: 'centralized_quarantine',
  hospital: 'hospital',
};

export interface Traveller {
  travellerId: string;
  name: string;
  /** Epoch ms when the traveller is ready at the sorting point. */
  arrivalTime: number;
  destinationId: string;
  disposition: Disposition;
  /** Rides alone (with their family, which is never split) on an escorted trip. */
  keyPerson?: boolean;
  /** Members of one family ride the same trip. */
  familyGroup?: string;
  /**
   * Fetched at their home address (kept in PostgreSQL) rather than waiting at the sorting point:
   * `arrivalTime` is when they are ready at the door. Rides a trip of their own with their family.
   */
  pickup?: boolean;
}

export interface Vehicle {
  vehicleId: string;
  plate: string;
  /** Passenger seats. */
  seats: number;
  availableFrom: number;
  available: boolean;
}

export interface Escort {
  escortId: string;
  name: string;
  availableFrom: number;
}

export interface Destination {
  destinationId: string;
  kind: DestinationKind;
  name: string;
  /** One way from the sorting point. */
  travelMinutes: number;
  /** Hotels: rooms still free, one per traveller. */
  capacity?: number;
}

export interface TransferRules {
  loadingMinutes?: number;
  unloadingMinutes?: number;
  maxWaitMinutes?: number;
  /** Escorts on a key person's trip, all with them from boarding to return (a team meets a car at a checkpoint). */
  keyPersonEscorts?: number;
  /** A pick-up trip's drive from the sorting point (the vehicles' base) to the home address. */
  pickupMinutes?: number;
}

export const DEFAULT_TRANSFER_RULES: Required<TransferRules> = {
  loadingMinutes: 10,
  unloadingMinutes: 10,
  // Six hours: on a record-like day this gives about 34 trips against the real 21 with waits a
  // sorting point can bear; 12 hours matches the real trip count, 1 hour more than doubles it.
  maxWaitMinutes: 360,
  keyPersonEscorts: 1,
  pickupMinutes: 30,
};

export interface PlannedTrip {
  /** `trip-01`, `trip-02`, … in boarding order; a re-plan continues after the highest number. */
  tripId: string;
  vehicleId: string;
  escortIds: string[];
  destinationId: string;
  travellerIds: string[];
  departAt: number;
  arriveAt: number;
  returnAt: number;
  pinned?: boolean;
  /** Boards at the riders' home address (at departAt − loading), not at the sorting point. */
  pickup?: boolean;
}

export interface TravellerMove {
  travellerId: string;
  toTripId: string;
}

export interface TransferPlanInput {
  travellers: Traveller[];
  vehicles: Vehicle[];
  escorts: Escort[];
  destinations: Destination[];
  rules?: TransferRules;
  /** Kept as they are; their people, vehicles and escorts are taken. */
  pinnedTrips?: PlannedTrip[];
  /** Dispatcher adjustments, applied in order to the computed plan. */
  moves?: TravellerMove[];
  /** No trip boards before this moment (re-planning a run under way). */
  startAt?: number;
  /** New trips are numbered from here at least: a run under way never reuses the id of a trip it dropped or finished. */
  firstTripNumber?: number;
}

export interface TransferPlan {
  trips: PlannedTrip[];
  unplanned: Array<{ travellerId: string; reason: string }>;
  stats: { trips: number; seatsUsed: number; seatsOffered: number; maxWaitMinutes: number; meanWaitMinutes: number };
}

export type ManifestTable = 'travellers' | 'vehicles' | 'escorts' | 'destinations';

export interface ManifestError {
  table: ManifestTable;
  /** 1-based position in its table. */
  row: number;
  field: string;
  reason: string;
}

export class InvalidManifestError extends Error {
  constructor(readonly errors: ManifestError[]) {
    super(`invalid manifest: ${errors.map((e) => `${e.table} row ${e.row} ${e.field} ${e.reason}`).join('; ')}`);
    this.name = 'InvalidManifestError';
  }
}

export class PlanAdjustmentError extends Error {
  constructor(
    /** e.g. `moves[2].toTripId` */
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'PlanAdjustmentError';
  }
}

// ---------------------------------------------------------------------------------------------
// Manifest validation

export type ManifestInput = Pick<TransferPlanInput, 'travellers' | 'destinations'> & Partial<Pick<TransferPlanInput, 'vehicles' | 'escorts'>>;

type Report = (index: number, field: string, reason: string) => void;

function reporter(table: ManifestTable, errors: ManifestError[]): Report {
  return (index, field, reason) => errors.push({ table, row: index + 1, field, reason });
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/** Vehicles without a positive whole number of seats carry no one. */
function hasSeats(vehicle: Vehicle): boolean {
  return Number.isInteger(vehicle.seats) && vehicle.seats > 0;
}

function checkIds(report: Report, ids: unknown[], field: string): void {
  const firstRow = new Map<string, number>();
  ids.forEach((id, i) => {
    if (!isText(id)) report(i, field, 'is missing');
    else if (firstRow.has(id)) report(i, field, `${id} duplicates row ${firstRow.get(id)}`);
    else firstRow.set(id, i + 1);
  });
}

function checkTime(report: Report, index: number, field: string, value: unknown): void {
  if (!Number.isFinite(value)) report(index, field, 'must be a time in epoch milliseconds');
}

/** Returns the destinations by id (first row wins) for the traveller checks. */
function checkDestinations(destinations: Destination[], errors: ManifestError[]): Map<string, Destination> {
  const report = reporter('destinations', errors);
  checkIds(report, destinations.map((d) => d.destinationId), 'destinationId');
  destinations.forEach((d, i) => {
    if (!(DESTINATION_KINDS as readonly string[]).includes(d.kind)) report(i, 'kind', `must be one of ${DESTINATION_KINDS.join(', ')}`);
    if (!(Number.isFinite(d.travelMinutes) && d.travelMinutes > 0)) report(i, 'travelMinutes', 'must be a positive number of minutes');
    if (d.capacity !== undefined && !(Number.isInteger(d.capacity) && d.capacity >= 0)) report(i, 'capacity', 'must be a whole number of rooms, 0 or more');
  });
  const byId = new Map<string, Destination>();
  for (const d of destinations) if (!byId.has(d.destinationId)) byId.set(d.destinationId, d);
  return byId;
}

function checkTravellers(travellers: Traveller[], destinations: Map<string, Destination>, errors: ManifestError[]): void {
  const report = reporter('travellers', errors);
  checkIds(report, travellers.map((t) => t.travellerId), 'travellerId');
  const families = new Map<string, { destinationId: string; row: number; pickup: boolean }>();
  travellers.forEach((t, i) => {
    if (!isText(t.name)) report(i, 'name', 'is missing');
    checkTime(report, i, 'arrivalTime', t.arrivalTime);
    const destination = destinations.get(t.destinationId);
    if (!destination) report(i, 'destinationId', `unknown destination ${t.destinationId}`);
    if (!(DISPOSITIONS as readonly string[]).includes(t.disposition)) {
      report(i, 'disposition', `must be one of ${DISPOSITIONS.join(', ')}`);
    } else if (destination && destination.kind in DISPOSITION_AT && DISPOSITION_AT[destination.kind] !== t.disposition) {
      report(i, 'disposition', `${t.disposition} cannot go to ${destination.kind} ${destination.destinationId}`);
    }
    if (t.pickup !== undefined && typeof t.pickup !== 'boolean') report(i, 'pickup', 'must be true or false');
    if (t.familyGroup === undefined) return;
    const family = families.get(t.familyGroup);
    if (!family) families.set(t.familyGroup, { destinationId: t.destinationId, row: i + 1, pickup: t.pickup === true });
    else if (family.destinationId !== t.destinationId) {
      // One family rides one trip, and a trip serves one destination.
      report(i, 'familyGroup', `family ${t.familyGroup} goes to ${family.destinationId} (row ${family.row})`);
    } else if (family.pickup !== (t.pickup === true)) {
      report(i, 'pickup', `family ${t.familyGroup} is ${family.pickup ? '' : 'not '}picked up at home (row ${family.row})`);
    }
  });
}

function checkVehicles(vehicles: Vehicle[], errors: ManifestError[]): void {
  const report = reporter('vehicles', errors);
  checkIds(report, vehicles.map((v) => v.vehicleId), 'vehicleId');
  vehicles.forEach((v, i) => {
    if (!hasSeats(v)) report(i, 'seats', 'must be a positive whole number');
    checkTime(report, i, 'availableFrom', v.availableFrom);
  });
}

function checkEscorts(escorts: Escort[], errors: ManifestError[]): void {
  const report = reporter('escorts', errors);
  checkIds(report, escorts.map((e) => e.escortId), 'escortId');
  escorts.forEach((e, i) => checkTime(report, i, 'availableFrom', e.availableFrom));
}

/** Every problem in the manifest and resource lists, one entry per row and field. */
export function validateManifest(input: ManifestInput): ManifestError[] {
  const errors: ManifestError[] = [];
  const destinations = checkDestinations(input.destinations, errors);
  checkTravellers(input.travellers, destinations, errors);
  checkVehicles(input.vehicles ?? [], errors);
  checkEscorts(input.escorts ?? [], errors);
  return errors;
}

/** A vehicle without seats only means fewer seats (people it cannot carry are reported unplanned); anything else makes the plan ambiguous. */
function blocksPlanning(error: ManifestError): boolean {
  return !(error.table === 'vehicles' && error.field === 'seats');
}

// ---------------------------------------------------------------------------------------------
// Parties and who cannot be planned at all

/** People who ride together: a family, or one traveller. */
interface Party {
  travellerIds: string[];
  destinationId: string;
  /** When the whole party is at the sorting point. */
  readyAt: number;
  keyPerson: boolean;
  pickup: boolean;
}

/** Parties in ready-time order; ties keep manifest order (Array.prototype.sort is stable). */
function partiesOf(travellers: Traveller[]): Party[] {
  const byKey = new Map<string, Party>();
  for (const t of travellers) {
    const key = t.familyGroup === undefined ? `traveller:${t.travellerId}` : `family:${t.familyGroup}`;
    const party = byKey.get(key);
    if (party) {
      party.travellerIds.push(t.travellerId);
      party.readyAt = Math.max(party.readyAt, t.arrivalTime);
      party.keyPerson ||= t.keyPerson === true;
      party.pickup ||= t.pickup === true;
    } else {
      byKey.set(key, { travellerIds: [t.travellerId], destinationId: t.destinationId, readyAt: t.arrivalTime, keyPerson: t.keyPerson === true, pickup: t.pickup === true });
    }
  }
  return [...byKey.values()].sort((a, b) => a.readyAt - b.readyAt);
}

/** Free rooms per hotel with a capacity, after the people already on pinned trips. */
function roomsLeft(destinations: Destination[], pinned: PlannedTrip[]): Map<string, number> {
  const rooms = new Map<string, number>();
  for (const d of destinations) if (d.kind === 'hotel' && d.capacity !== undefined) rooms.set(d.destinationId, d.capacity);
  for (const trip of pinned) {
    const left = rooms.get(trip.destinationId);
    if (left !== undefined) rooms.set(trip.destinationId, Math.max(0, left - trip.travellerIds.length));
  }
  return rooms;
}

/** Why a party cannot ride at all, or undefined (then its hotel rooms are taken: first come, first served). */
function refusal(party: Party, maxSeats: number, escorts: number, rules: Rules, rooms: Map<string, number>): string | undefined {
  if (maxSeats === 0) return 'no vehicle with seats available';
  if (escorts === 0) return 'no escort available';
  if (party.keyPerson && escorts < rules.keyPersonEscorts) return `a key person's trip takes ${rules.keyPersonEscorts} escorts; the run has ${escorts}`;
  const size = party.travellerIds.length;
  if (size > maxSeats) return `party of ${size} is larger than the biggest vehicle (${maxSeats} seats)`;
  const left = rooms.get(party.destinationId);
  if (left === undefined) return undefined;
  if (size > left) return 'hotel full';
  rooms.set(party.destinationId, left - size);
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Vehicles and escorts over time

interface Interval {
  from: number;
  to: number;
}

interface Resource {
  id: string;
  /** availableFrom, then the return of its last planned trip. */
  freeFrom: number;
  /** Busy on pinned trips, from boarding to return. */
  pinned: Interval[];
}

interface Bus extends Resource {
  seats: number;
}

function isFree(resource: Resource, from: number, to: number): boolean {
  return from >= resource.freeFrom && resource.pinned.every((busy) => to <= busy.from || from >= busy.to);
}

function pinnedIntervals(trips: PlannedTrip[], rules: Rules, idsOf: (trip: PlannedTrip) => string[]): Map<string, Interval[]> {
  const intervals = new Map<string, Interval[]>();
  for (const trip of trips) {
    for (const id of idsOf(trip)) {
      const busy = intervals.get(id) ?? [];
      busy.push({ from: trip.departAt - rules.loadingMs - (trip.pickup ? rules.pickupMs : 0), to: trip.returnAt });
      intervals.set(id, busy);
    }
  }
  return intervals;
}

/** Usable vehicles, smallest first so a batch takes the smallest vehicle that holds it. */
function busesOf(vehicles: Vehicle[], busy: Map<string, Interval[]>): Bus[] {
  return vehicles
    .filter((v) => v.available && hasSeats(v))
    .map((v) => ({ id: v.vehicleId, seats: v.seats, freeFrom: v.availableFrom, pinned: busy.get(v.vehicleId) ?? [] }))
    .sort((a, b) => a.seats - b.seats || (a.id < b.id ? -1 : 1));
}

function escortsOf(escorts: Escort[], busy: Map<string, Interval[]>): Resource[] {
  return escorts.map((e) => ({ id: e.escortId, freeFrom: e.availableFrom, pinned: busy.get(e.escortId) ?? [] }));
}

/** The `count` escorts free for the whole trip that have been idle longest, so duty rotates; undefined if fewer are free. */
function pickEscorts(escorts: Resource[], from: number, to: number, count: number): Resource[] | undefined {
  const idleLonger = (a: Resource, b: Resource) => a.freeFrom < b.freeFrom || (a.freeFrom === b.freeFrom && a.id < b.id);
  // The best `count` so far, idle longest first: one pass, as this runs for every boarding considered.
  const crew: Resource[] = [];
  for (const e of escorts) {
    if (!isFree(e, from, to)) continue;
    let at = crew.length;
    while (at > 0 && idleLonger(e, crew[at - 1])) at--;
    if (at >= count) continue;
    crew.splice(at, 0, e);
    if (crew.length > count) crew.pop();
  }
  return crew.length < count ? undefined : crew;
}

// ---------------------------------------------------------------------------------------------
// The dispatch simulation

interface Rules {
  loadingMs: number;
  unloadingMs: number;
  maxWaitMs: number;
  keyPersonEscorts: number;
  pickupMs: number;
}

function rulesOf(rules: TransferRules = {}): Rules {
  const minutes = (value: number | undefined, fallback: number) => (value ?? fallback) * MINUTE;
  return {
    loadingMs: minutes(rules.loadingMinutes, DEFAULT_TRANSFER_RULES.loadingMinutes),
    unloadingMs: minutes(rules.unloadingMinutes, DEFAULT_TRANSFER_RULES.unloadingMinutes),
    maxWaitMs: minutes(rules.maxWaitMinutes, DEFAULT_TRANSFER_RULES.maxWaitMinutes),
    keyPersonEscorts: rules.keyPersonEscorts ?? DEFAULT_TRANSFER_RULES.keyPersonEscorts,
    pickupMs: minutes(rules.pickupMinutes, DEFAULT_TRANSFER_RULES.pickupMinutes),
  };
}

/** `boardAt`: boarding at the sorting point, or for a pick-up the vehicle leaving it for the home address. */
function tripTimes(rules: Rules, destination: Destination, boardAt: number, pickup = false): Pick<PlannedTrip, 'departAt' | 'arriveAt' | 'returnAt'> {
  const travelMs = destination.travelMinutes * MINUTE;
  const departAt = boardAt + (pickup ? rules.pickupMs : 0) + rules.loadingMs;
  const arriveAt = departAt + travelMs;
  return { departAt, arriveAt, returnAt: arriveAt + rules.unloadingMs + travelMs };
}

/** People at the sorting point waiting for one destination; a key person's party, and a home to fetch people from, wait alone. */
interface Queue {
  key: string;
  destinationId: string;
  parties: Party[];
  /** People in `parties`. */
  seats: number;
  solo: boolean;
  /** The escorts its trip takes. */
  escorts: number;
  pickup: boolean;
}

interface Simulation {
  rules: Rules;
  destinations: Map<string, Destination>;
  buses: Bus[];
  escorts: Resource[];
  /** Ready-time order; incoming[0, admitted) are at the sorting point or gone. */
  incoming: Party[];
  admitted: number;
  queues: Map<string, Queue>;
  /** Parties per destination not yet at the sorting point. */
  toCome: Map<string, number>;
  trips: PlannedTrip[];
  nextNumber: number;
}

function tripId(n: number): string {
  return `trip-${String(n).padStart(2, '0')}`;
}

function deadlineOf(sim: Simulation, queue: Queue): number {
  // Boarding must start early enough for the oldest party to leave within maxWait.
  return queue.parties[0].readyAt + sim.rules.maxWaitMs - sim.rules.loadingMs;
}

/**
 * Whether the queue should leave now. Called with the smallest vehicle's seats it answers whether
 * it might leave at all, which skips most queues without looking for free vehicles.
 */
function isDue(sim: Simulation, queue: Queue, t: number, biggestFreeSeats: number): boolean {
  return queue.solo || queue.seats >= biggestFreeSeats || t >= deadlineOf(sim, queue) || sim.toCome.get(queue.destinationId) === 0;
}

function admit(sim: Simulation, t: number): void {
  while (sim.admitted < sim.incoming.length && sim.incoming[sim.admitted].readyAt <= t) {
    const party = sim.incoming[sim.admitted++];
    if (party.keyPerson || party.pickup) {
      const key = `${party.keyPerson ? 'key' : 'pickup'}:${party.travellerIds[0]}`;
      const escorts = party.keyPerson ? sim.rules.keyPersonEscorts : 1;
      sim.queues.set(key, { key, destinationId: party.destinationId, parties: [party], seats: party.travellerIds.length, solo: true, escorts, pickup: party.pickup });
      continue;
    }
    const queue = sim.queues.get(party.destinationId) ?? { key: party.destinationId, destinationId: party.destinationId, parties: [], seats: 0, solo: false, escorts: 1, pickup: false };
    queue.parties.push(party);
    queue.seats += party.travellerIds.length;
    sim.queues.set(queue.key, queue);
    sim.toCome.set(party.destinationId, sim.toCome.get(party.destinationId)! - 1);
  }
}

/** First fit in arrival order: a family too big for the seats left lets later, smaller parties on. */
function takeSeats(queue: Queue, seats: number): Party[] {
  const riders: Party[] = [];
  let left = seats;
  queue.parties = queue.parties.filter((party) => {
    if (party.travellerIds.length > left) return true;
    riders.push(party);
    left -= party.travellerIds.length;
    return false;
  });
  queue.seats -= seats - left;
  return riders;
}

/** Boards the queue onto a free vehicle with a free escort if it is due; whether a trip left. */
function board(sim: Simulation, queue: Queue, t: number): boolean {
  const destination = sim.destinations.get(queue.destinationId)!;
  const times = tripTimes(sim.rules, destination, t, queue.pickup);
  const free = sim.buses.filter((b) => isFree(b, t, times.returnAt));
  if (free.length === 0 || !isDue(sim, queue, t, free[free.length - 1].seats)) return false;
  const crew = pickEscorts(sim.escorts, t, times.returnAt, queue.escorts);
  if (!crew) return false;
  const bus = free.find((b) => b.seats >= queue.seats) ?? free[free.length - 1];
  const riders = takeSeats(queue, bus.seats);
  if (riders.length === 0) return false;
  if (queue.parties.length === 0) sim.queues.delete(queue.key);
  bus.freeFrom = times.returnAt;
  for (const escort of crew) escort.freeFrom = times.returnAt;
  sim.trips.push({
    tripId: tripId(sim.nextNumber++),
    vehicleId: bus.id,
    escortIds: crew.map((escort) => escort.id),
    destinationId: destination.destinationId,
    travellerIds: riders.flatMap((p) => p.travellerIds),
    ...times,
    ...(queue.pickup ? { pickup: true } : {}),
  });
  return true;
}

/** Key persons first, then the queue waiting longest. */
function byUrgency(a: Queue, b: Queue): number {
  return Number(b.solo) - Number(a.solo) || a.parties[0].readyAt - b.parties[0].readyAt || (a.key < b.key ? -1 : 1);
}

function dispatchOne(sim: Simulation, t: number): boolean {
  // Most events find every vehicle or every escort out: say so before looking at any queue.
  if (!sim.buses.some((b) => b.freeFrom <= t) || !sim.escorts.some((e) => e.freeFrom <= t)) return false;
  const smallestSeats = sim.buses[0].seats;
  const candidates = [...sim.queues.values()].filter((q) => isDue(sim, q, t, smallestSeats)).sort(byUrgency);
  for (const queue of candidates) if (board(sim, queue, t)) return true;
  return false;
}

/** The next moment anything can change: an arrival, a vehicle or escort coming free, a deadline. */
function nextEventAfter(sim: Simulation, t: number): number {
  let next = Infinity;
  const consider = (time: number) => {
    if (time > t && time < next) next = time;
  };
  if (sim.admitted < sim.incoming.length) consider(sim.incoming[sim.admitted].readyAt);
  for (const resource of [...sim.buses, ...sim.escorts]) {
    consider(resource.freeFrom);
    for (const busy of resource.pinned) consider(busy.to);
  }
  for (const queue of sim.queues.values()) consider(deadlineOf(sim, queue));
  return next;
}

/**
 * Runs the day. Every party gets a trip: each fits the biggest vehicle, there is an escort, and
 * once the events run out every resource is free and every queue is due.
 */
function simulate(sim: Simulation, startAt: number): PlannedTrip[] {
  if (sim.incoming.length === 0) return sim.trips;
  for (let t = Math.max(startAt, sim.incoming[0].readyAt); t < Infinity; t = nextEventAfter(sim, t)) {
    admit(sim, t);
    while (dispatchOne(sim, t));
  }
  return sim.trips;
}

// ---------------------------------------------------------------------------------------------
// Dispatcher moves

interface MoveContext {
  travellers: Map<string, Traveller>;
  seats: Map<string, number>;
  loadingMs: number;
}

/** The traveller and the family members riding with them: families are never split, so they move together. */
function partyOnTrip(trip: PlannedTrip, traveller: Traveller, travellers: Map<string, Traveller>): string[] {
  if (traveller.familyGroup === undefined) return [traveller.travellerId];
  return trip.travellerIds.filter((id) => travellers.get(id)?.familyGroup === traveller.familyGroup);
}

function checkMove(move: TravellerMove, from: PlannedTrip, to: PlannedTrip, party: string[], field: string, ctx: MoveContext): void {
  const isKey = (id: string) => ctx.travellers.get(id)?.keyPerson === true;
  if (from.pinned) throw new PlanAdjustmentError(`${field}.travellerId`, `${move.travellerId} is on pinned trip ${from.tripId}`);
  if (to.pinned) throw new PlanAdjustmentError(`${field}.toTripId`, `trip ${to.tripId} is pinned`);
  if (from.pickup || to.pickup) throw new PlanAdjustmentError(`${field}.toTripId`, 'people fetched from home ride their own pick-up trip');
  if (to.destinationId !== from.destinationId) {
    throw new PlanAdjustmentError(`${field}.toTripId`, `trip ${to.tripId} goes to ${to.destinationId}, ${move.travellerId} to ${from.destinationId}`);
  }
  if (party.some(isKey) || to.travellerIds.some(isKey)) throw new PlanAdjustmentError(`${field}.toTripId`, 'a key person rides alone on their own trip');
  const free = ctx.seats.get(to.vehicleId)! - to.travellerIds.length;
  if (party.length > free) throw new PlanAdjustmentError(`${field}.toTripId`, `trip ${to.tripId} has ${free} free seats, ${party.length} needed`);
  const readyAt = Math.max(...party.map((id) => ctx.travellers.get(id)!.arrivalTime));
  if (readyAt > to.departAt - ctx.loadingMs) throw new PlanAdjustmentError(`${field}.toTripId`, `${move.travellerId} is not at the sorting point when trip ${to.tripId} boards`);
}

/**
 * Applies the moves in order; trip times stay as planned (a trip left lighter still keeps its slot)
 * and a trip left empty is dropped.
 */
function applyMoves(trips: PlannedTrip[], moves: TravellerMove[], ctx: MoveContext): PlannedTrip[] {
  const byId = new Map(trips.map((trip) => [trip.tripId, trip]));
  const tripOf = new Map(trips.flatMap((trip) => trip.travellerIds.map((id) => [id, trip] as const)));
  moves.forEach((move, i) => {
    const field = `moves[${i}]`;
    const traveller = ctx.travellers.get(move.travellerId);
    if (!traveller) throw new PlanAdjustmentError(`${field}.travellerId`, `unknown traveller ${move.travellerId}`);
    const to = byId.get(move.toTripId);
    if (!to) throw new PlanAdjustmentError(`${field}.toTripId`, `no trip ${move.toTripId}`);
    const from = tripOf.get(move.travellerId);
    if (!from) throw new PlanAdjustmentError(`${field}.travellerId`, `${move.travellerId} is not on any trip`);
    if (from === to) return;
    const party = partyOnTrip(from, traveller, ctx.travellers);
    checkMove(move, from, to, party, field, ctx);
    from.travellerIds = from.travellerIds.filter((id) => !party.includes(id));
    to.travellerIds = [...to.travellerIds, ...party];
    for (const id of party) tripOf.set(id, to);
  });
  return trips.filter((trip) => trip.travellerIds.length > 0);
}

// ---------------------------------------------------------------------------------------------
// Planning

function statsOf(trips: PlannedTrip[], travellers: Map<string, Traveller>, seats: Map<string, number>): TransferPlan['stats'] {
  const waits = trips.flatMap((trip) =>
    trip.travellerIds.flatMap((id) => {
      const traveller = travellers.get(id);
      return traveller ? [(trip.departAt - traveller.arrivalTime) / MINUTE] : [];
    }),
  );
  return {
    trips: trips.length,
    seatsUsed: trips.reduce((sum, trip) => sum + trip.travellerIds.length, 0),
    // A pinned trip on a vehicle no longer listed counts the seats it uses.
    seatsOffered: trips.reduce((sum, trip) => sum + (seats.get(trip.vehicleId) ?? trip.travellerIds.length), 0),
    maxWaitMinutes: waits.reduce((max, w) => Math.max(max, w), 0),
    meanWaitMinutes: waits.length === 0 ? 0 : waits.reduce((sum, w) => sum + w, 0) / waits.length,
  };
}

/** One more than the highest `trip-NN` number among the trips. */
function nextTripNumber(trips: PlannedTrip[]): number {
  return trips.reduce((max, trip) => Math.max(max, Number(/(\d+)$/.exec(trip.tripId)?.[1] ?? 0)), 0) + 1;
}

function byDeparture(a: PlannedTrip, b: PlannedTrip): number {
  return a.departAt - b.departAt || (a.tripId < b.tripId ? -1 : 1);
}

function planFrom(input: TransferPlanInput, firstTripNumber: number): TransferPlan {
  const errors = validateManifest(input).filter(blocksPlanning);
  if (errors.length > 0) throw new InvalidManifestError(errors);
  const rules = rulesOf(input.rules);
  const pinned = (input.pinnedTrips ?? []).map((trip) => ({ ...trip, pinned: true }));
  const onPinned = new Set(pinned.flatMap((trip) => trip.travellerIds));
  const buses = busesOf(input.vehicles, pinnedIntervals(pinned, rules, (trip) => [trip.vehicleId]));
  const escorts = escortsOf(input.escorts, pinnedIntervals(pinned, rules, (trip) => trip.escortIds));

  const maxSeats = buses.length === 0 ? 0 : buses[buses.length - 1].seats;
  const rooms = roomsLeft(input.destinations, pinned);
  const refused = new Map<string, string>();
  const plannable: Party[] = [];
  for (const party of partiesOf(input.travellers.filter((t) => !onPinned.has(t.travellerId)))) {
    const reason = refusal(party, maxSeats, escorts.length, rules, rooms);
    if (reason === undefined) plannable.push(party);
    else for (const id of party.travellerIds) refused.set(id, reason);
  }

  const toCome = new Map<string, number>();
  for (const party of plannable) if (!party.keyPerson) toCome.set(party.destinationId, (toCome.get(party.destinationId) ?? 0) + 1);
  const planned = simulate(
    {
      rules,
      destinations: new Map(input.destinations.map((d) => [d.destinationId, d])),
      buses,
      escorts,
      incoming: plannable,
      admitted: 0,
      queues: new Map(),
      toCome,
      trips: [],
      nextNumber: firstTripNumber,
    },
    input.startAt ?? -Infinity,
  );

  const travellers = new Map(input.travellers.map((t) => [t.travellerId, t]));
  const seats = new Map(input.vehicles.map((v) => [v.vehicleId, v.seats]));
  const trips = applyMoves([...pinned, ...planned], input.moves ?? [], { travellers, seats, loadingMs: rules.loadingMs }).sort(byDeparture);
  return {
    trips,
    unplanned: input.travellers.filter((t) => refused.has(t.travellerId)).map((t) => ({ travellerId: t.travellerId, reason: refused.get(t.travellerId)! })),
    stats: statsOf(trips, travellers, seats),
  };
}

/**
 * Plans a transfer run. Throws InvalidManifestError when the manifest is inconsistent (see
 * validateManifest; vehicles without seats are merely left out) and PlanAdjustmentError when a move
 * cannot be honoured. Every traveller ends up on exactly one trip or in `unplanned` with a reason.
 */
export function planTransferRun(input: TransferPlanInput): TransferPlan {
  return planFrom(input, Math.max(input.firstTripNumber ?? 1, nextTripNumber(input.pinnedTrips ?? [])));
}

/**
 * Applies dispatcher moves to a plan already shown (trips keep their ids and times, a trip left
 * empty is dropped), under the same checks as `moves` in planTransferRun. Throws PlanAdjustmentError.
 */
export function movePeople(plan: Pick<TransferPlan, 'trips' | 'unplanned'>, moves: TravellerMove[], input: Pick<TransferPlanInput, 'travellers' | 'vehicles' | 'rules'>): TransferPlan {
  const travellers = new Map(input.travellers.map((t) => [t.travellerId, t]));
  const seats = new Map(input.vehicles.map((v) => [v.vehicleId, v.seats]));
  const copies = plan.trips.map((trip) => ({ ...trip, travellerIds: [...trip.travellerIds] }));
  const trips = applyMoves(copies, moves, { travellers, seats, loadingMs: rulesOf(input.rules).loadingMs }).sort(byDeparture);
  return { trips, unplanned: plan.unplanned, stats: statsOf(trips, travellers, seats) };
}

/**
 * Re-plans after `brokenVehicleId` broke down at `atTime`. Kept as they are: trips that have begun
 * boarding on other vehicles, trips the broken vehicle already handed over, and the dispatcher's pins
 * on other vehicles. Everyone else not yet handed over, including the people stranded on the broken
 * vehicle, is planned again from `atTime` without it. Stranded people are treated as back at the
 * sorting point (the rescue vehicle drives the same road) and their escort stays with the broken
 * vehicle until its planned return. New trips are numbered after the old plan's, so ids never change meaning.
 */
export function replanAfterBreakdown(plan: TransferPlan, brokenVehicleId: string, atTime: number, input: TransferPlanInput): TransferPlan {
  const loadingMs = rulesOf(input.rules).loadingMs;
  const keep = (trip: PlannedTrip) =>
    trip.vehicleId === brokenVehicleId ? trip.arriveAt <= atTime : trip.pinned === true || trip.departAt - loadingMs <= atTime;
  const dropped = plan.trips.filter((trip) => !keep(trip));
  const heldUntil = new Map(dropped.filter((trip) => trip.departAt <= atTime).flatMap((trip) => trip.escortIds.map((id) => [id, trip.returnAt] as const)));
  const replanned = planFrom(
    {
      ...input,
      vehicles: input.vehicles.map((v) => (v.vehicleId === brokenVehicleId ? { ...v, available: false } : v)),
      escorts: input.escorts.map((e) => ({ ...e, availableFrom: Math.max(e.availableFrom, heldUntil.get(e.escortId) ?? -Infinity) })),
      pinnedTrips: plan.trips.filter(keep),
      moves: undefined,
      startAt: atTime,
    },
    nextTripNumber(plan.trips),
  );
  // People on a dropped pinned trip who are not in the manifest cannot be planned again, but must not vanish.
  const inManifest = new Set(input.travellers.map((t) => t.travellerId));
  const orphans = dropped.flatMap((trip) => trip.travellerIds).filter((id) => !inManifest.has(id));
  return {
    ...replanned,
    unplanned: [...replanned.unplanned, ...orphans.map((travellerId) => ({ travellerId, reason: `was on broken vehicle ${brokenVehicleId}, not in the manifest` }))],
  };
}
