import { Injectable } from '@nestjs/common';
import type { Jurisdiction, Place } from './jurisdiction';
import { Principal, RECEIVING_ROLES } from './roles';
import { parseUuid } from '../domain/ids';
import { ImportJobRepository } from '../persistence/observation/import-job.repository';
import { IncomingHandOverRepository } from '../persistence/observation/incoming-hand-over.repository';
import { ObservationRepository } from '../persistence/observation/observation.repository';
import { StayRepository } from '../persistence/observation/stay.repository';
import { TransferRunRepository } from '../persistence/transfer/transfer-run.repository';
import { RosterPlanRepository } from '../persistence/roster/roster-plan.repository';
import { RosterPostRepository } from '../persistence/roster/roster-post.repository';
import { RosterShiftRepository } from '../persistence/roster/roster-shift.repository';
import { ShiftRequestRepository } from '../persistence/roster/shift-request.repository';
import { observationWorkflowId } from '../../workflows/observation/observation.messages';
import { shiftWorkflowId } from '../../workflows/roster/shift.messages';
import { transferRunWorkflowId, transferTripWorkflowId } from '../../workflows/transfer/transfer.messages';

/** A record the guard found for a route, for the access check and the audit log. */
export interface RecordPlace {
  type: string;
  id: string;
  /** Every place the record touches (a roster plan spans posts); empty when it does not exist yet or at all. */
  places: Place[];
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
  trip: (p) => transferTripWorkflowId(p.runId, p.tripId),
};

/** A record's id for the audit log, where the route's key alone does not name it (a trip is one of its run's). */
const RECORD_ID_OF: Record<string, (params: Record<string, string>) => string> = {
  trip: (p) => `${p.runId}/${p.tripId}`,
};


type Resolve = (value: unknown, actor: Principal, body: Record<string, unknown>, params: Record<string, string>) => Promise<Place[]>;

/**
 * Where each kind of record lies, read from PostgreSQL. A record that does not exist has no places:
 * the guard answers 404 for a route's own record (a record named in a body is left to the handler's
 * validation, and a new record's place is the body's).
 */
@Injectable()
export class JurisdictionResolver {
  private readonly resolvers: Record<string, Resolve>;

  constructor(
    observations: ObservationRepository,
    importJobs: ImportJobRepository,
    incomingHandOvers: IncomingHandOverRepository,
    transferRuns: TransferRunRepository,
    posts: RosterPostRepository,
    plans: RosterPlanRepository,
    shifts: RosterShiftRepository,
    shiftRequests: ShiftRequestRepository,
    stays: StayRepository,
  ) {
    // Read the way the handlers read them: a uuid in any case is the same record; anything else is none.
    const byUuid = (id: unknown, read: (uuid: string) => Promise<Jurisdiction[]>) => {
      const uuid = parseUuid(id);
      return uuid ? read(uuid) : Promise.resolve([]);
    };
    /** A repository's record, read by its id, as the one place it lies (none when there is no such record). */
    const found = async (read: Promise<Jurisdiction | undefined>) => {
      const record = await read;
      return record ? [record] : [];
    };
    this.resolvers = {
      observation: (number) => found(observations.record(String(number))),
      'import-job': (id) => byUuid(id, (uuid) => found(importJobs.placeOf(uuid))),
      post: (id) => posts.places([String(id)]),
      // Creating or changing a post: where it is now (if it exists) and where the body puts it.
      'post-upsert': async (id, actor, body) => [
        ...(await posts.places([String(id)])),
        { subdistrict: postSubdistrict(actor, body), community: typeof body.jurisdiction === 'string' ? body.jurisdiction : null },
      ],
      posts: (ids) => posts.places(Array.isArray(ids) ? ids.map(String) : []),
      plan: (id) => byUuid(id, (uuid) => plans.places(uuid)),
      // A swap touches two shifts: both must be the actor's.
      'shift-request-body': (shiftId, _actor, body) => shifts.places([shiftId, body.otherShiftId].filter((id): id is string => typeof id === 'string')),
      shift: (id) => shifts.places([String(id)]),
      'shift-request': (id) => byUuid(id, (uuid) => shiftRequests.place(uuid)),
      // A community's peace/war mode: the community, in the subdistrict(s) of its posts.
      'mode-jurisdiction': (community) => posts.placesOfJurisdiction(String(community)),
      'incoming-hand-over': (id) => byUuid(id, (uuid) => found(incomingHandOvers.placeOf(uuid))),
      // A quarantine stay lies at its hotel's place (the district's, for a hotel with none).
      stay: (id) => byUuid(id, (uuid) => found(stays.placeOf(uuid))),
      'transfer-run': (id) => transferRuns.places(String(id)),
      // A run's trip lies where the run does for those who run it, at its destination for those who
      // receive there, and, once dispatched, with its crew (the accounts linked as its escorts and driver).
      // Keyed by the path's runId and tripId whichever names the rule.
      trip: async (_id, actor, _body, params) => {
        const [places, crewAccountIds] = await Promise.all([
          RECEIVING_ROLES.includes(actor.role) ? found(transferRuns.tripDestination(params.runId, params.tripId)) : transferRuns.places(params.runId),
          transferRuns.tripCrew(params.runId, params.tripId),
        ]);
        return places.map((place) => ({ ...place, crewAccountIds }));
      },
    };
  }

  kinds(): string[] {
    return Object.keys(this.resolvers);
  }

  async resolve(record: string, id: unknown, actor: Principal, body: Record<string, unknown>, params: Record<string, string>): Promise<RecordPlace> {
    const resolve = this.resolvers[record];
    if (!resolve) throw new Error(`no jurisdiction resolver for ${record}`);
    const places = await resolve(id, actor, body, params);
    return {
      type: record,
      id: RECORD_ID_OF[record]?.(params) ?? (typeof id === 'string' ? id : JSON.stringify(id ?? null)),
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
