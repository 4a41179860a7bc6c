/** The people who use the engine (see DOMAIN.md, roles). */
/** `medical`: a subdistrict's medical desk (fever and symptom escalations); `receiver`: staff of one destination who take people over. */
export const ROLES = ['admin', 'supervisor', 'dispatcher', 'community_worker', 'duty_staff', 'medical', 'receiver'] as const;
export type Role = (typeof ROLES)[number];

/** Who acts on an observation's escalations (acknowledge, resolve), on its page or from their inbox. */
export const ESCALATION_ROLES: Role[] = ['supervisor', 'community_worker'];
/** Who runs transfers: every command to a run, its trips and its exceptions. */
export const TRANSFER_ROLES: Role[] = ['dispatcher', 'supervisor'];
/** Who takes people over at a trip's destination with their own login: its receivers and its community's workers. */
export const RECEIVING_ROLES: Role[] = ['receiver', 'community_worker'];

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
  /** A receiver's destination (community or quarantine hotel); null for every other role. */
  destinationId: string | null;
}
