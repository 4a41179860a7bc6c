import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Jurisdiction } from '../../auth/jurisdiction';
import type { PostPlan } from '../../roster/roster-seats';
import type { Queryable } from '../queryable';

/** A post (岗): a place that must be staffed, its seats per mode and its shifts of a day. */
export interface RosterPost extends PostPlan {
  kind: string;
  name: string;
  location: string;
  /** Who runs the post; null: the district command. */
  subdistrict: string | null;
  /** Told of no-shows, overdue hand-overs and gaps. */
  supervisor: string;
  /** Called in order on a no-show. */
  onCall: string[];
  /** A guard post's observation (the "guard posted" measure); null for every other post. */
  observationNumber?: string | null;
  /** When the post closed (a guard post: the observation ended or the measure was lifted), and why. */
  closedAt?: Date | null;
  closeReason?: string | null;
}

/** An open guard post with shifts nobody is rostered on (a gap on the dashboard). */
export interface GuardPostGap {
  postId: string;
  observationNumber: string;
  subdistrict: string | null;
  community: string;
  unfilledShifts: number;
  /** The start of the first unfilled shift not over yet. */
  since: Date;
  reason: string | null;
}

const COLUMNS = `id, kind, name, location, jurisdiction, subdistrict, requirements, pattern, supervisor, on_call AS "onCall", observation_number AS "observationNumber",
  closed_at AS "closedAt", close_reason AS "closeReason"`;
const PLACE = `SELECT DISTINCT subdistrict, jurisdiction AS community FROM roster_post`;

/** roster_post: every statement on posts. */
@Injectable()
export class RosterPostRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async upsert(post: RosterPost): Promise<RosterPost> {
    const [row] = await this.db.query(
      `INSERT INTO roster_post (id, kind, name, location, jurisdiction, requirements, pattern, supervisor, on_call, subdistrict) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name, location = EXCLUDED.location, jurisdiction = EXCLUDED.jurisdiction, subdistrict = EXCLUDED.subdistrict,
         requirements = EXCLUDED.requirements, pattern = EXCLUDED.pattern, supervisor = EXCLUDED.supervisor, on_call = EXCLUDED.on_call, updated_at = now()
       RETURNING ${COLUMNS}`,
      [post.id, post.kind, post.name, post.location, post.jurisdiction, JSON.stringify(post.requirements), JSON.stringify(post.pattern), post.supervisor, post.onCall, post.subdistrict],
    );
    return row;
  }

  async get(id: string): Promise<RosterPost | undefined> {
    const [row] = await this.db.query(`SELECT ${COLUMNS} FROM roster_post WHERE id = $1`, [id]);
    return row;
  }

  /** The posts of `ids` that exist, by id. */
  getMany(ids: string[]): Promise<RosterPost[]> {
    return this.db.query(`SELECT ${COLUMNS} FROM roster_post WHERE id = ANY($1) ORDER BY id`, [ids]);
  }

  /** The posts whose peace/war mode is the jurisdiction's (a community). */
  inJurisdiction(jurisdiction: string): Promise<RosterPost[]> {
    return this.db.query(`SELECT ${COLUMNS} FROM roster_post WHERE jurisdiction = $1 ORDER BY id`, [jurisdiction]);
  }

  /** Where the posts lie: the subdistrict that runs each, its community. */
  places(ids: string[]): Promise<Jurisdiction[]> {
    return this.db.query(`${PLACE} WHERE id = ANY($1::text[])`, [ids]);
  }

  /** A community's place, in the subdistrict(s) running its posts (none without posts). */
  placesOfJurisdiction(jurisdiction: string): Promise<Jurisdiction[]> {
    return this.db.query(`${PLACE} WHERE jurisdiction = $1`, [jurisdiction]);
  }

  /** Opens the guard post of an observation; posted already (a retry), the post as it is. */
  async openGuardPost(post: RosterPost & { observationNumber: string }): Promise<RosterPost> {
    await this.db.query(
      `INSERT INTO roster_post (id, kind, name, location, jurisdiction, requirements, pattern, supervisor, on_call, subdistrict, observation_number) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (id) DO NOTHING`,
      [post.id, post.kind, post.name, post.location, post.jurisdiction, JSON.stringify(post.requirements), JSON.stringify(post.pattern), post.supervisor, post.onCall, post.subdistrict, post.observationNumber],
    );
    return (await this.get(post.id))!;
  }

  /** Closes a post (the first close counts); false when it was closed already. */
  async close(tx: Queryable, id: string, at: Date, reason: string): Promise<boolean> {
    const [, count] = await tx.query(`UPDATE roster_post SET closed_at = $2, close_reason = $3, updated_at = now() WHERE id = $1 AND closed_at IS NULL`, [id, at, reason]);
    return count > 0;
  }

  /** Open guard posts (within the place, when given) with published shifts not over that nobody is rostered on or checked in to, longest open first. */
  guardPostGaps(place: { subdistrict?: string; community?: string }, at: Date): Promise<GuardPostGap[]> {
    return this.db.query(
      `SELECT p.id AS "postId", p.observation_number AS "observationNumber", p.subdistrict, p.jurisdiction AS community, count(*)::int AS "unfilledShifts", min(s.start_at) AS since,
         min(s.unfilled_reason) AS reason
       FROM roster_post p JOIN roster_shift s ON s.post_id = p.id
       WHERE p.observation_number IS NOT NULL AND p.closed_at IS NULL AND ($1::text IS NULL OR p.subdistrict = $1) AND ($3::text IS NULL OR p.jurisdiction = $3)
         AND s.status = 'published' AND s.duty_state IN ('scheduled', 'no_show') AND s.staff_id IS NULL AND s.checked_in_by IS NULL AND s.end_at > $2
       GROUP BY p.id ORDER BY since, p.id`,
      [place.subdistrict ?? null, at, place.community ?? null],
    );
  }
}
