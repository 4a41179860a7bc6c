import { forbidden } from '../domain/errors';
import type { Principal } from './roles';

/** Where a record belongs: null subdistrict is the district level, null community the whole subdistrict. */
export interface Jurisdiction {
  subdistrict: string | null;
  community: string | null;
}

/** Whether the actor's jurisdiction (a person's, or a transfer run's) holds the record's. */
export function covers(actor: Jurisdiction, record: Jurisdiction): boolean {
  if (actor.subdistrict === null) return true;
  if (record.subdistrict !== actor.subdistrict) return false;
  return actor.community === null || record.community === actor.community;
}

/** Where a record lies; a record at a destination (a trip being received, its exception) also names the destination. */
export interface Place extends Jurisdiction {
  destinationId?: string | null;
  /** A dispatched trip also lies with its crew: the accounts linked as its escorts and driver (see OrTripCrew). */
  crewAccountIds?: string[];
}

/**
 * Whether the actor may act on a record lying there. A receiver has no jurisdiction but one
 * destination: they reach the records at it and nothing else (their null subdistrict is not the district).
 */
export function reaches(actor: Principal, place: Place): boolean {
  if (actor.role === 'receiver') return !!place.destinationId && place.destinationId === actor.destinationId;
  return covers(actor, place);
}

export function assertReaches(actor: Principal, place: Place, what: string): void {
  if (actor.role === 'receiver' && !reaches(actor, place)) throw forbidden(`${what} is not at your destination (${actor.destinationId})`);
  assertCovers(actor, place, what);
}

export function describeJurisdiction(j: Jurisdiction): string {
  if (j.subdistrict === null) return 'the district';
  return j.community === null ? `subdistrict ${j.subdistrict}` : `community ${j.community} of subdistrict ${j.subdistrict}`;
}

export function assertCovers(actor: Jurisdiction, record: Jurisdiction, what: string): void {
  if (!covers(actor, record)) {
    throw forbidden(`${what} belongs to ${describeJurisdiction(record)}, outside your jurisdiction (${describeJurisdiction(actor)})`);
  }
}

/**
 * A list filter narrowed to the actor's jurisdiction. Asking for a subdistrict or community outside
 * it is refused with the reason, rather than answered with a silently empty page.
 */
export function narrowFilter<F extends { subdistrict?: string; community?: string }>(actor: Principal, filter: F): F {
  const asked: Jurisdiction = { subdistrict: filter.subdistrict ?? actor.subdistrict, community: filter.community ?? actor.community };
  if (actor.subdistrict !== null && filter.subdistrict !== undefined && filter.subdistrict !== actor.subdistrict) {
    throw forbidden(`subdistrict ${filter.subdistrict} is outside your jurisdiction (${describeJurisdiction(actor)})`);
  }
  if (actor.community !== null && filter.community !== undefined && filter.community !== actor.community) {
    throw forbidden(`community ${filter.community} is outside your jurisdiction (${describeJurisdiction(actor)})`);
  }
  return { ...filter, subdistrict: asked.subdistrict ?? undefined, community: asked.community ?? undefined };
}
