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
