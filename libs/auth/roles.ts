/** The people who use the engine (see DOMAIN.md, roles). */
export const ROLES = ['admin', 'supervisor', 'dispatcher', 'community_worker', 'duty_staff'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Who is acting, as the API knows them after login. The jurisdiction narrows what they see and
 * act on: a null subdistrict is the whole district (district command, admin); a null community is
 * the whole subdistrict.
 */
export interface Principal {
  userId: string;
  username: string;
  displayName: string;
  role: Role;
  subdistrict: string | null;
  community: string | null;
}
