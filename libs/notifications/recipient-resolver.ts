import { Injectable } from '@nestjs/common';
import type { Queryable } from '../persistence/queryable';
import { Holder, RoutingRepository } from '../persistence/platform/routing.repository';
import { describeRolePlace, placeOf, RoleRecipient } from './recipients';

/** Who holds a role where, and the level above when nobody does. */
export interface Resolution {
  /** The accounts that get the message, the preferred (the owner) first; empty when nobody up to the admins holds a role. */
  accounts: string[];
  /** Set when the asked role is held by nobody there: the level the message went to (or 'nobody'). */
  routedTo?: string;
}

/**
 * Resolves role recipients to accounts, one level up when nobody holds the role at the place:
 * community worker, medical desk, dispatcher → the subdistrict's supervisors; a destination's
 * receivers → the community workers of its community, else its subdistrict's supervisors; a
 * subdistrict's supervisors → the district's; the district's → the admins.
 */
@Injectable()
export class RecipientResolver {
  constructor(private readonly routing: RoutingRepository) {}

  /** The accounts a message goes to; records the gap when the role is not held there, closes it when it is. */
  async resolve(db: Queryable, recipient: RoleRecipient): Promise<Resolution> {
    const asked = placeOf(recipient);
    const { holders, reached } = await this.walk(db, recipient);
    if (reached === recipient) {
      await this.routing.gapClosed(asked, db);
      return { accounts: holders.map((h) => h.id) };
    }
    const routedTo = reached ? describeRolePlace(placeOf(reached)) : 'nobody';
    await this.routing.gapRouted(asked, routedTo, db);
    return { accounts: holders.map((h) => h.id), routedTo };
  }

  /** The account that owns a record addressed to the role (the preferred, else the first holder, one level up if need be); null when nobody can. */
  async owner(db: Queryable, recipient: RoleRecipient): Promise<string | null> {
    return (await this.walk(db, recipient)).holders[0]?.id ?? null;
  }

  /** The holders at the first level that has any, and that level (the asked recipient itself, or one above; undefined: nobody anywhere). */
  private async walk(db: Queryable, recipient: RoleRecipient): Promise<{ holders: Holder[]; reached?: RoleRecipient }> {
    for (let current: RoleRecipient | undefined = recipient; current; current = await this.oneLevelUp(db, current)) {
      const holders = preferredFirst(await this.routing.holders(placeOf(current), db), current.preferred);
      if (holders.length) return { holders, reached: current };
    }
    return { holders: [] };
  }

  private async oneLevelUp(db: Queryable, at: RoleRecipient): Promise<RoleRecipient | undefined> {
    const subdistrict = at.subdistrict ?? null;
    switch (at.role) {
      case 'community_worker':
      case 'medical':
      case 'dispatcher':
        return { role: 'supervisor', subdistrict };
      case 'receiver': {
        const place = at.destinationId ? await this.routing.destinationPlace(at.destinationId, db) : undefined;
        if (place?.community) return { role: 'community_worker', subdistrict: place.subdistrict, community: place.community };
        return { role: 'supervisor', subdistrict: place?.subdistrict ?? subdistrict };
      }
      case 'supervisor':
        return subdistrict === null ? { role: 'admin' } : { role: 'supervisor', subdistrict: null };
      case 'admin':
        return undefined;
    }
  }
}

/** Only the preferred account when it holds the role there; otherwise every holder. */
function preferredFirst(holders: Holder[], preferred: string | undefined): Holder[] {
  const name = preferred?.trim().toLowerCase();
  const match = name ? holders.find((h) => h.username.toLowerCase() === name || h.displayName.trim().toLowerCase() === name) : undefined;
  return match ? [match] : holders;
}
