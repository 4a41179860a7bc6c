import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Jurisdiction } from '../../auth/jurisdiction';
import type { PostPlan } from '../../roster/roster-seats';

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
}

const COLUMNS = `id, kind, name, location, jurisdiction, subdistrict, requirements, pattern, supervisor, on_call AS "onCall"`;
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
}
