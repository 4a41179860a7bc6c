import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Queryable } from '../queryable';

/** A role held at a place: the key of a routing gap and of an account lookup. */
export interface RolePlace {
  role: string;
  subdistrict: string | null;
  community: string | null;
  destinationId: string | null;
}

/** An active account holding a role at a place. */
export interface Holder {
  id: string;
  username: string;
  displayName: string;
}

/** A role nobody holds where a message needed it, and where its messages went instead. */
export interface RoutingGapView {
  role: string;
  subdistrict: string | null;
  community: string | null;
  destinationId: string | null;
  routedTo: string;
  since: string;
  lastAt: string;
  messages: number;
}

/** How a roster staff member is reached: a linked account, else their own mobile or email; and the subdistrict of their posts. */
export interface StaffReach {
  /** False for a name only a post knows (its supervisor or on-call), with no staff record. */
  known: boolean;
  accountId: string | null;
  mobile: string | null;
  email: string | null;
  subdistrict: string | null;
}

const UTC = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
/** The open gap of a role at a place (index routing_gap_open). */
const OPEN_GAP = `(role, coalesce(subdistrict, ''), coalesce(community, ''), coalesce(destination_id, '')) WHERE closed_at IS NULL`;

/** Every statement routing a message needs: who holds a role where (`app_user`), destinations' places, staff contacts, `routing_gap`. */
@Injectable()
export class RoutingRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Active accounts holding the role at the place, by username. A null subdistrict asks for the
   * district level; a community or destination narrows to it; admins hold their role everywhere.
   */
  holders(at: RolePlace, db: Queryable = this.dataSource): Promise<Holder[]> {
    return db.query(
      `SELECT id, username, display_name AS "displayName" FROM app_user
       WHERE active AND role = $1
         AND ($1 = 'admin' OR $4::text IS NOT NULL OR subdistrict IS NOT DISTINCT FROM $2)
         AND ($3::text IS NULL OR community = $3)
         AND ($4::text IS NULL OR destination_id = $4)
       ORDER BY lower(username)`,
      [at.role, at.subdistrict, at.community, at.destinationId],
    );
  }

  /** The subdistrict and community a destination belongs to; undefined for an unknown destination. */
  async destinationPlace(id: string, db: Queryable = this.dataSource): Promise<{ subdistrict: string | null; community: string | null } | undefined> {
    const [row] = await db.query(`SELECT subdistrict, community FROM transfer_destination WHERE id = $1`, [id]);
    return row;
  }

  /**
   * How a roster staff member is reached, and the subdistrict of the post of their latest shift (or
   * a post they supervise or back up); undefined when neither a staff record nor a post knows them.
   */
  async staffReach(staffId: string, db: Queryable = this.dataSource): Promise<StaffReach | undefined> {
    const [row] = await db.query(
      `SELECT s.id IS NOT NULL AS known, s.account_id AS "accountId", s.mobile, s.email,
         coalesce(
           (SELECT p.subdistrict FROM roster_shift sh JOIN roster_post p ON p.id = sh.post_id WHERE sh.staff_id = k.id ORDER BY sh.start_at DESC LIMIT 1),
           (SELECT p.subdistrict FROM roster_post p WHERE p.supervisor = k.id OR k.id = ANY (p.on_call) ORDER BY p.id LIMIT 1)) AS subdistrict,
         EXISTS (SELECT 1 FROM roster_post p WHERE p.supervisor = k.id OR k.id = ANY (p.on_call)) AS "onPost"
       FROM (SELECT $1::text AS id) k LEFT JOIN roster_staff s ON s.id = k.id`,
      [staffId],
    );
    const { onPost, ...reach } = row;
    return reach.known || onPost ? reach : undefined;
  }

  /** Counts one more message sent one level up because nobody holds the role there (opens the gap if it was not open). */
  async gapRouted(at: RolePlace, routedTo: string, db: Queryable = this.dataSource): Promise<void> {
    await db.query(
      `INSERT INTO routing_gap (role, subdistrict, community, destination_id, routed_to) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT ${OPEN_GAP} DO UPDATE SET messages = routing_gap.messages + 1, last_at = now(), routed_to = EXCLUDED.routed_to`,
      [at.role, at.subdistrict, at.community, at.destinationId, routedTo],
    );
  }

  /** Someone holds the role there again: its open gap closes. */
  async gapClosed(at: RolePlace, db: Queryable = this.dataSource): Promise<void> {
    await db.query(
      `UPDATE routing_gap SET closed_at = now()
       WHERE closed_at IS NULL AND role = $1 AND subdistrict IS NOT DISTINCT FROM $2 AND community IS NOT DISTINCT FROM $3 AND destination_id IS NOT DISTINCT FROM $4`,
      [at.role, at.subdistrict, at.community, at.destinationId],
    );
  }

  /** Open gaps within a subdistrict (null: everywhere), longest open first. */
  openGaps(subdistrict: string | null, db: Queryable = this.dataSource): Promise<RoutingGapView[]> {
    return db.query(
      `SELECT role, subdistrict, community, destination_id AS "destinationId", routed_to AS "routedTo", ${UTC('first_at')} AS since, ${UTC('last_at')} AS "lastAt", messages
       FROM routing_gap WHERE closed_at IS NULL AND ($1::text IS NULL OR subdistrict = $1) ORDER BY first_at, id`,
      [subdistrict],
    );
  }
}
