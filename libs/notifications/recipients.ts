/** Who a message is for, as senders name it. Pure: workflows import it. */
import type { RolePlace } from '../persistence/platform/routing.repository';

/** The roles a message can be addressed to at a place (libs/auth/roles.ts). */
export type RecipientRole = 'community_worker' | 'supervisor' | 'medical' | 'receiver' | 'dispatcher' | 'admin';

/**
 * The accounts holding a role at a place, resolved when the message is stored: the community
 * workers of a community, a subdistrict's supervisors (null subdistrict: the district's), its
 * medical desk or dispatchers, a destination's receivers. `preferred` names the one responsible
 * (a username or display name, e.g. an observation's responsible worker): only that account gets
 * the message when it holds the role there.
 */
export interface RoleRecipient {
  role: RecipientRole;
  subdistrict?: string | null;
  community?: string | null;
  destinationId?: string;
  preferred?: string;
}

/**
 * Who a message is for: a person under observation (by SMS, in their language), an account (its
 * inbox, and each channel it wants, in its language), the accounts holding a role at a place, a
 * roster staff member (their linked account, else their own mobile or email), or a driver's or
 * escort's own number from their record (by SMS) when they have no account.
 */
export type NotificationRecipient = { personId: string } | { account: string } | RoleRecipient | { staffId: string } | { mobile: string };

/** What senders before routing sent: a staff id, a free-text name, or an invented `role@place`. Only mapped, never stored. */
export interface LegacyStaffRecipient {
  staff: string;
  email?: string;
}

/**
 * A recipient as a running workflow started before routing may still send it: `supervisor@X`,
 * `medical@X` and `receiver@D` become the role there; any other name is up to the sender (`named`).
 */
export function fromLegacy(recipient: NotificationRecipient | LegacyStaffRecipient, named: (name: string) => NotificationRecipient): NotificationRecipient {
  if (!('staff' in recipient)) return recipient;
  const invented = /^(supervisor|medical|receiver)@(.+)$/.exec(recipient.staff);
  if (!invented) return named(recipient.staff);
  const [, role, place] = invented;
  return role === 'receiver' ? { role, destinationId: place } : { role: role as RecipientRole, subdistrict: place };
}

export function isRoleRecipient(recipient: NotificationRecipient): recipient is RoleRecipient {
  return 'role' in recipient;
}

/** Where a role at a place is, as a gap and the dashboard name it. */
export function placeOf(recipient: RoleRecipient): RolePlace {
  return { role: recipient.role, subdistrict: recipient.subdistrict ?? null, community: recipient.community ?? null, destinationId: recipient.destinationId ?? null };
}

export function describeRolePlace(at: RolePlace): string {
  const where = at.destinationId ? `destination ${at.destinationId}` : at.community ? `community ${at.community}` : at.subdistrict ? `subdistrict ${at.subdistrict}` : 'the district';
  return `${at.role} of ${where}`;
}

/**
 * The accounts holding a role where a person lives: the community's workers (only the responsible
 * one, `preferred`, when that names one of them), or the subdistrict's supervisors or medical desk.
 */
export function roleWhereLiving(role: 'community_worker' | 'supervisor' | 'medical', place: { subdistrict: string; community: string }, preferred?: string): RoleRecipient {
  return role === 'community_worker' ? { role, subdistrict: place.subdistrict, community: place.community, preferred } : { role, subdistrict: place.subdistrict };
}
