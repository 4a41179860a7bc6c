import { SetMetadata } from '@nestjs/common';
import type { Role } from './roles';

export const ROLES_KEY = 'epi:roles';
export const PUBLIC_KEY = 'epi:public';
export const COOKIE_AUTH_KEY = 'epi:cookie-auth';
export const TRIP_CREW_KEY = 'epi:trip-crew';

/** The roles that may call a route. A route with neither @Roles nor @Public is refused to everyone. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** No login needed (health, login itself, the dashboard's static page). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/**
 * The session cookie is accepted here even for a POST: the Temporal Web UI's codec calls carry the
 * cookie, not a bearer token. Other commands need the bearer token (no cross-site request forgery).
 */
export const AllowCookieAuth = () => SetMetadata(COOKIE_AUTH_KEY, true);

/**
 * Besides the route's roles, the escorts and driver of the trip it names (accounts linked to them, a
 * dispatched trip), whatever their role: the trip lies "with its crew" (Place.crewAccountIds).
 */
export const OrTripCrew = () => SetMetadata(TRIP_CREW_KEY, true);

export const SCOPE_KEY = 'epi:scope';

/**
 * How a route's record is placed in a jurisdiction, checked by the guard before the handler runs:
 * a record kind resolved from a route parameter or the body (see jurisdiction.resolver.ts),
 * 'district' for district-level records (district-wide people only), 'handler' when the handler
 * applies the actor's jurisdiction itself (lists narrowed by it, a device event found by its device), 'shared' for reference data every permitted role may read,
 * 'own' for the caller's own account, 'none' for routes that touch no jurisdiction's records (system probe).
 */
export type ScopeRule =
  | { kind: 'record'; record: string; from: 'param' | 'body'; key: string }
  | { kind: 'district' | 'handler' | 'shared' | 'own' | 'none' };

export const Scoped = (record: string, from: 'param' | 'body', key: string) => SetMetadata(SCOPE_KEY, { kind: 'record', record, from, key } satisfies ScopeRule);
export const DistrictLevel = () => SetMetadata(SCOPE_KEY, { kind: 'district' } satisfies ScopeRule);
export const ScopedInHandler = () => SetMetadata(SCOPE_KEY, { kind: 'handler' } satisfies ScopeRule);
export const SharedData = () => SetMetadata(SCOPE_KEY, { kind: 'shared' } satisfies ScopeRule);
export const OwnAccount = () => SetMetadata(SCOPE_KEY, { kind: 'own' } satisfies ScopeRule);
export const NoJurisdiction = () => SetMetadata(SCOPE_KEY, { kind: 'none' } satisfies ScopeRule);
