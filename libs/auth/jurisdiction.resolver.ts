import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Jurisdiction } from './jurisdiction';
import type { Principal } from './roles';
import { parseUuid } from '../domain/ids';
import { SELECT_RECORD } from '../observation/observation-record';
import { observationWorkflowId } from '../../workflows/observation/observation.messages';
import { shiftWorkflowId } from '../../workflows/roster/shift.messages';
import { transferRunWorkflowId, transferTripWorkflowId } from '../../workflows/transfer/transfer.messages';

/** A record the guard found for a route, for the access check and the audit log. */
export interface RecordPlace {
  type: string;
  id: string;
  /** Every place the record touches (a roster plan spans posts); empty when it does not exist yet or at all. */
  places: Jurisdiction[];
  /** The workflow the route addresses, for the request log. */
  workflowId?: string;
  /** The record's row as read for the check, for the handler to reuse (see LoadedRecord). */
  row?: unknown;
}

/** Which workflow a route on a record addresses, from its route parameters. */
const WORKFLOW_OF: Record<string, (params: Record<string, string>) => string> = {
  observation: (p) => observationWorkflowId(p.number),
  shift: (p) => shiftWorkflowId(p.id),
  'transfer-run': (p) => (p.tripId ? transferTripWorkflowId(p.runId, p.tripId) : transferRunWorkflowId(p.runId)),
};

type Resolve = (value: unknown, actor: Principal, body: Record<string, unknown>) => Promise<Jurisdiction[]>;

const POST_PLACE = `SELECT subdistrict, jurisdiction AS community FROM roster_post`;

/**
 * Where each kind of record lies, read from PostgreSQL. A record that does not exist has no places:
 * the guard answers 404 for a route's own record (a record named in a body is left to the handler's
 * validation, and a new record's place is the body's).
 */
@Injectable()
export class JurisdictionResolver {
  private readonly resolvers: Record<string, Resolve>;

  constructor(private readonly dataSource: DataSource) {
    const rows = (sql: string, params: unknown[]) => this.dataSource.query(sql, params) as Promise<Jurisdiction[]>;
    // Read the way the handlers read them: a uuid in any case is the same record; anything else is none.
    const uuidRows = async (sql: string, id: unknown) => {
      const uuid = parseUuid(id);
      return uuid ? rows(sql, [uuid]) : [];
    };
    this.resolvers = {
      observation: (number) => rows(`${SELECT_RECORD} WHERE o.number = $1`, [String(number)]),
      'import-job': (id) => uuidRows(`SELECT subdistrict, community FROM import_job WHERE id = $1`, id),
      post: (id) => rows(`${POST_PLACE} WHERE id = $1`, [String(id)]),
      // Creating or changing a post: where it is now (if it exists) and where the body puts it.
      'post-upsert': async (id, actor, body) => [
        ...(await rows(`${POST_PLACE} WHERE id = $1`, [String(id)])),
        { subdistrict: postSubdistrict(actor, body), community: typeof body.jurisdiction === 'string' ? body.jurisdiction : null },
      ],
      posts: (ids) => rows(`${POST_PLACE} WHERE id = ANY($1::text[])`, [Array.isArray(ids) ? ids.map(String) : []]),
      plan: (id) => uuidRows(`SELECT p.subdistrict, p.jurisdiction AS community FROM roster_plan r JOIN roster_post p ON p.id = ANY(r.post_ids) WHERE r.id = $1`, id),
      // A swap touches two shifts: both must be the actor's.
      'shift-request-body': (shiftId, _actor, body) =>
        rows(`SELECT p.subdistrict, s.jurisdiction AS community FROM roster_shift s JOIN roster_post p ON p.id = s.post_id WHERE s.id = ANY($1::text[])`, [
          [shiftId, body.otherShiftId].filter((id): id is string => typeof id === 'string'),
        ]),
      shift: (id) => rows(`SELECT p.subdistrict, s.jurisdiction AS community FROM roster_shift s JOIN roster_post p ON p.id = s.post_id WHERE s.id = $1`, [String(id)]),
      'shift-request': (id) =>
        uuidRows(`SELECT p.subdistrict, s.jurisdiction AS community FROM roster_request q JOIN roster_shift s ON s.id = q.shift_id JOIN roster_post p ON p.id = s.post_id WHERE q.id = $1`, id),
      // A community's peace/war mode: the community, in the subdistrict(s) of its posts.
      'mode-jurisdiction': (community) => rows(`SELECT DISTINCT subdistrict, jurisdiction AS community FROM roster_post WHERE jurisdiction = $1`, [String(community)]),
      'incoming-hand-over': (id) => uuidRows(`SELECT subdistrict, community FROM incoming_hand_over WHERE id = $1`, id),
      'transfer-run': (id) => rows(`SELECT subdistrict, NULL AS community FROM transfer_run WHERE id = $1`, [String(id)]),
    };
  }

  kinds(): string[] {
    return Object.keys(this.resolvers);
  }

  async resolve(record: string, id: unknown, actor: Principal, body: Record<string, unknown>, params: Record<string, string>): Promise<RecordPlace> {
    const resolve = this.resolvers[record];
    if (!resolve) throw new Error(`no jurisdiction resolver for ${record}`);
    const places = await resolve(id, actor, body);
    return {
      type: record,
      id: typeof id === 'string' ? id : JSON.stringify(id ?? null),
      places,
      workflowId: places.length ? WORKFLOW_OF[record]?.(params) : undefined,
      row: places.length === 1 ? places[0] : undefined,
    };
  }
}

/** A post belongs to the body's subdistrict, else to the actor's (null for a district-wide actor: a district post). */
export function postSubdistrict(actor: Principal, body: Record<string, unknown>): string | null {
  return typeof body.subdistrict === 'string' && body.subdistrict ? body.subdistrict.toUpperCase() : actor.subdistrict;
}
