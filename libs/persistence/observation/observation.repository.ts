import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { dateOrNull } from '../../domain/time';
import type { Category } from '../../../workflows/observation/observation-policy';
import type { EndReason, Escalation, EscalationKind, EscalationState, ObservationStatus, OwnerRole } from '../../../workflows/observation/observation.messages';
import { dedupKeyOf, type TrackingEntry } from '../../../workflows/observation/tracking-entry';
import { queryPage } from '../page-query';
import { DEVICE_KEYS, DeviceKey, OPEN, PERSON_BY_DOCUMENT, PersonDevices, PersonOnRecord, PersonRecord } from './person.repository';

/** An observation's row: the lists read it, and the access guard reads it to place it in a jurisdiction. */
export interface ObservationRecord {
  number: string;
  personId: string;
  category: Category;
  status: ObservationStatus;
  subdistrict: string;
  community: string;
  responsibleWorker: string;
  /** YYYY-MM-DD. */
  anchorDate: string;
  policyId: string;
  startedAt: Date;
  releaseDueAt: Date;
  nextDueAt: Date | null;
  lastReportAt: Date | null;
  endedAt: Date | null;
  endReason: string | null;
  /** The pick-up run a decision started, if any. */
  pickupRunId: string | null;
  /** The observation clock keeping its slots; null: the workflow's own timers (started before the clock). */
  slotClock: string | null;
}

/** One line of the 14-day tracking log. */
export interface TrackingLine {
  at: Date;
  day: number;
  kind: string;
  slotStart: Date | null;
  temperature: number | null;
  detail: Record<string, unknown>;
}

/**
 * The columns of an escalation as people read it: its owner is the account that owns it (the
 * workflow records a role's name, such as medical@XYL, which the write resolves to an account),
 * else the name recorded.
 */
const ESCALATION_COLUMNS = `e.id, e.observation_number AS "observationNumber", e.kind, e.owner_role AS "ownerRole", COALESCE(u.display_name, e.owner) AS owner,
  e.owner_account AS "ownerAccount", e.state, e.reason, e.opened_at AS "openedAt", e.updated_at AS "updatedAt", e.resolution, e.decided_by AS "decidedBy"`;
const ESCALATION_FROM = `escalation e LEFT JOIN app_user u ON u.id = e.owner_account`;

/** An escalation as recorded, read through ESCALATION_COLUMNS. */
export interface EscalationRecord {
  id: string;
  observationNumber: string;
  kind: EscalationKind;
  ownerRole: OwnerRole;
  /** The owning account's display name; the name the workflow recorded when no account owns it. */
  owner: string;
  ownerAccount: string | null;
  state: EscalationState;
  reason: string;
  openedAt: Date;
  updatedAt: Date;
  resolution: string | null;
  decidedBy: string | null;
}

/** Who owns an escalation and where it lies (its observation's place), for an inbox's actions. */
export interface EscalationOwnership {
  id: string;
  observationNumber: string;
  ownerRole: OwnerRole;
  ownerAccount: string | null;
  state: EscalationState;
  subdistrict: string;
  community: string;
}

/** Which observations a list, an export or a count selects. */
export interface ObservationSelection {
  subdistrict?: string;
  community?: string;
  category?: string;
  status?: string;
  /** Open, with a report owed within [from, to). */
  dueBetween?: { from: Date; to: Date };
  /** Open, with an open missed-report escalation. */
  overdue?: boolean;
}

/** What a workflow pass changes on the observation's own row. */
export interface ObservationRowChanges {
  status?: ObservationStatus;
  nextDueAt?: number | null;
  releaseDueAt?: number;
  endReason?: EndReason;
  endedAt?: number;
  policyId?: string;
  anchorDate?: string;
  /** The pick-up run a hospital or centralized-quarantine decision started. */
  pickupRunId?: string;
  /** The observation clock that keeps its check-in slots (README "Home observation"). */
  slotClock?: string;
}

/** What `takeNumber` found: the person on record, a number already given to the request, or the next sequence. */
export interface NumberTaken {
  person: PersonOnRecord | null;
  knownNumber: string | null;
  /** Null when none was taken (the person is on record elsewhere or under observation, or the request was enrolled). */
  sequence: string | null;
}

/** The person, the observation and its first tracking-log line, written together. */
export interface NewEnrolment {
  person: Omit<PersonRecord, 'id'>;
  observation: Pick<ObservationRecord, 'number' | 'category' | 'responsibleWorker' | 'anchorDate' | 'policyId' | 'startedAt' | 'releaseDueAt' | 'nextDueAt'> & { requestId: string | null; slotClock: string };
  enrolled: TrackingEntry;
}

/** What rebuilding an observation's workflow input needs of its record. */
export type ObservationStartRecord = Pick<ObservationRecord, 'number' | 'personId' | 'category' | 'subdistrict' | 'community' | 'responsibleWorker' | 'anchorDate' | 'startedAt' | 'policyId'> & {
  /** The enrolment wrote its 'enrolled' line (see ObservationInput.enrolmentRecorded). */
  enrolmentRecorded: boolean;
};

/** An observation a device is fitted for: open, with the person carrying the device. */
export interface DeviceObservation {
  number: string;
  subdistrict: string;
  community: string;
  startedAt: Date;
}

/** Counts for the dashboard's panels. */
export interface ObservationCounts {
  byStatusAndCategory: Array<{ status: ObservationStatus; category: Category; n: number }>;
  /** Escalations not resolved, of the selected observations. */
  unresolvedEscalations: Array<{ state: EscalationState; kind: EscalationKind; n: number }>;
}

/** Totals since the beginning, for the metrics' counters. */
export interface ObservationTotals {
  enrolled: Record<string, number>;
  reports: number;
  escalations: Record<string, number>;
}

/** Numbered parameters of one statement, and its WHERE clause. */
interface Where {
  clause: string;
  params: unknown[];
}

const RECORD_COLUMNS = `o.number, o.person_id AS "personId", o.category, o.status, o.subdistrict, o.community, o.responsible_worker AS "responsibleWorker",
  to_char(o.anchor_date, 'YYYY-MM-DD') AS "anchorDate", o.policy_id AS "policyId", o.started_at AS "startedAt", o.release_due_at AS "releaseDueAt",
  o.next_due_at AS "nextDueAt", o.last_report_at AS "lastReportAt", o.ended_at AS "endedAt", o.end_reason AS "endReason",
  o.pickup_run_id AS "pickupRunId", o.slot_clock AS "slotClock"`;
const SELECT_RECORD = `SELECT ${RECORD_COLUMNS} FROM observation o`;
const SELECT_RECORD_NAMED = `SELECT ${RECORD_COLUMNS}, p.name FROM observation o JOIN person p ON p.id = o.person_id`;
/** Observations on clock $1 under policy $2 whose period holds the slot opening at $3: enrolled by its opening, not released before it (slotsOf's rule). */
const ON_CLOCK_FOR_SLOT = `o.slot_clock = $1 AND o.policy_id = $2 AND o.started_at <= $3 AND o.release_due_at > $3`;
const TRACKING_COLUMNS = `at, day, kind, slot_start AS "slotStart", temperature::float8 AS temperature, detail`;

/** The observation row's columns a workflow pass writes, with each value as the column takes it. */
const ROW_COLUMNS: Record<keyof ObservationRowChanges, [string, (v: never) => unknown]> = {
  status: ['status', (v) => v],
  nextDueAt: ['next_due_at', (v: number | null) => (v === null ? null : new Date(v))],
  releaseDueAt: ['release_due_at', (v: number) => new Date(v)],
  endReason: ['end_reason', (v) => v],
  endedAt: ['ended_at', (v: number) => new Date(v)],
  policyId: ['policy_id', (v) => v],
  anchorDate: ['anchor_date', (v) => v],
  pickupRunId: ['pickup_run_id', (v) => v],
  slotClock: ['slot_clock', (v) => v],
};

/**
 * Observations and what hangs off them: the number counter, the tracking log and the escalations
 * (`observation`, `observation_number_counter`, `tracking_log`, `escalation`), and the enrolment's
 * statements that write the person with them. Every statement on these tables is here; the rules
 * are the services' and activities'. Methods that take `db` run in the caller's transaction.
 */
@Injectable()
export class ObservationRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async record(number: string): Promise<ObservationRecord | undefined> {
    const [row] = await this.dataSource.query(`${SELECT_RECORD} WHERE o.number = $1`, [number]);
    return row;
  }

  /** A page of the selection, newest first. */
  page(selection: ObservationSelection, page: { offset: number; pageSize: number }): Promise<{ items: ObservationRecord[]; total: number }> {
    const { clause, params } = where(selection);
    return queryPage(this.dataSource, { columns: RECORD_COLUMNS, from: `FROM observation o ${clause}`, orderBy: 'o.created_at DESC, o.number' }, params, page);
  }

  async count(selection: ObservationSelection): Promise<number> {
    const { clause, params } = where(selection);
    const [{ total }] = await this.dataSource.query(`SELECT count(*)::int AS total FROM observation o ${clause}`, params);
    return total;
  }

  /** Every observation of the selection, in number order (an export). */
  all(selection: ObservationSelection): Promise<ObservationRecord[]> {
    const { clause, params } = where(selection);
    return this.dataSource.query(`${SELECT_RECORD} ${clause} ORDER BY o.number`, params);
  }

  /** By status and category, and their unresolved escalations, within the place. */
  async counts(place: { subdistrict?: string; community?: string }): Promise<ObservationCounts> {
    const { clause, params } = where(place);
    const [byStatusAndCategory, unresolvedEscalations] = await Promise.all([
      this.dataSource.query(`SELECT o.status, o.category, count(*)::int AS n FROM observation o ${clause} GROUP BY o.status, o.category`, params),
      this.dataSource.query(
        `SELECT e.state, e.kind, count(*)::int AS n FROM escalation e JOIN observation o ON o.number = e.observation_number
         WHERE e.state <> 'resolved' ${clause.replace(/^WHERE/, 'AND')} GROUP BY e.state, e.kind`,
        params,
      ),
    ]);
    return { byStatusAndCategory, unresolvedEscalations };
  }

  /** Every subdistrict and community within the place that has observations, with how many are open. */
  places(place: { subdistrict?: string; community?: string }): Promise<Array<{ subdistrict: string; community: string; underObservation: number }>> {
    const { clause, params } = where(place);
    return this.dataSource.query(
      `SELECT o.subdistrict, o.community, (count(*) FILTER (WHERE ${OPEN}))::int AS "underObservation"
       FROM observation o ${clause} GROUP BY o.subdistrict, o.community ORDER BY o.subdistrict, o.community`,
      params,
    );
  }

  /** Observations ever enrolled by category, reports ever taken, escalations ever opened by kind. */
  async totals(): Promise<ObservationTotals> {
    const [row] = await this.dataSource.query(
      `SELECT (SELECT coalesce(json_object_agg(category, n), '{}') FROM (SELECT category, count(*)::int AS n FROM observation GROUP BY category) c) AS enrolled,
              (SELECT count(*)::int FROM tracking_log WHERE kind = 'report') AS reports,
              (SELECT coalesce(json_object_agg(kind, n), '{}') FROM (SELECT kind, count(*)::int AS n FROM escalation GROUP BY kind) e) AS escalations`,
    );
    return row;
  }

  /** A day's figures for the daily report: observations running in [from, to) by status, enrolled and released in it. */
  async dayFigures(from: Date, to: Date): Promise<{ byStatus: Array<{ status: ObservationStatus; n: number }>; enrolled: number; released: number }> {
    const [byStatus, [{ enrolled, released }]] = await Promise.all([
      this.dataSource.query(`SELECT status, count(*)::int AS n FROM observation WHERE started_at < $2 AND (ended_at IS NULL OR ended_at >= $1) GROUP BY status`, [from, to]),
      this.dataSource.query(
        `SELECT count(*) FILTER (WHERE started_at >= $1 AND started_at < $2)::int AS enrolled,
                count(*) FILTER (WHERE status = 'released' AND ended_at >= $1 AND ended_at < $2)::int AS released FROM observation`,
        [from, to],
      ),
    ]);
    return { byStatus, enrolled, released };
  }

  /** Open observations enrolled more than `seconds` ago (the reconciler's candidates). */
  async openStartedBefore(seconds: number): Promise<string[]> {
    const rows: Array<{ number: string }> = await this.dataSource.query(`SELECT number FROM observation o WHERE ${OPEN} AND started_at < now() - make_interval(secs => $1)`, [seconds]);
    return rows.map((r) => r.number);
  }

  /** Open observations of a category, in the place, on another policy than `policyId`, in number order. */
  async openNotOnPolicy(category: Category, policyId: string, place: { subdistrict?: string; community?: string }): Promise<Array<{ number: string; subdistrict: string; community: string }>> {
    return this.dataSource.query(
      `SELECT number, subdistrict, community FROM observation o WHERE category = $1 AND ${OPEN} AND policy_id <> $2
         AND ($3::text IS NULL OR subdistrict = $3) AND ($4::text IS NULL OR community = $4) ORDER BY number`,
      [category, policyId, place.subdistrict ?? null, place.community ?? null],
    );
  }

  /** The open observation of whoever carries the device (a device id is on one person at most, per kind). */
  async openWithDevice(kind: DeviceKey, deviceId: string): Promise<DeviceObservation | undefined> {
    const [row] = await this.dataSource.query(
      // The key is one of three literals, written out so that its unique index serves the lookup.
      `SELECT o.number, o.subdistrict, o.community, o.started_at AS "startedAt" FROM person p JOIN observation o ON o.person_id = p.id
       WHERE p.devices->>'${DEVICE_KEYS[kind]}' = $1 AND ${OPEN}`,
      [deviceId],
    );
    return row;
  }

  /** The open observations of the place still owing reports, with the person's name, the soonest deadline first (a worker's day). */
  async openOwingReports(place: { subdistrict?: string; community?: string }): Promise<Array<ObservationRecord & { name: string }>> {
    const { clause, params } = where(place);
    return this.dataSource.query(
      `${SELECT_RECORD_NAMED} ${clause ? `${clause} AND` : 'WHERE'} ${OPEN} AND o.next_due_at IS NOT NULL ORDER BY o.next_due_at, o.number`,
      params,
    );
  }

  /** The unresolved escalations of the place's open observations, with the person's name and community, oldest first. */
  async unresolvedEscalations(place: { subdistrict?: string; community?: string }): Promise<Array<EscalationRecord & { name: string; community: string }>> {
    const { clause, params } = where(place);
    return this.dataSource.query(
      `SELECT ${ESCALATION_COLUMNS}, p.name, o.community
       FROM ${ESCALATION_FROM} JOIN observation o ON o.number = e.observation_number JOIN person p ON p.id = o.person_id
       ${clause ? `${clause} AND` : 'WHERE'} ${OPEN} AND e.state <> 'resolved' ORDER BY e.opened_at, e.id`,
      params,
    );
  }

  async escalations(number: string): Promise<EscalationRecord[]> {
    return this.dataSource.query(`SELECT ${ESCALATION_COLUMNS} FROM ${ESCALATION_FROM} WHERE e.observation_number = $1 ORDER BY e.opened_at`, [number]);
  }

  /** The escalations of these ids that exist, with their owner and place. */
  escalationOwnership(ids: string[]): Promise<EscalationOwnership[]> {
    return this.dataSource.query(
      `SELECT e.id, e.observation_number AS "observationNumber", e.owner_role AS "ownerRole", e.owner_account AS "ownerAccount", e.state, o.subdistrict, o.community
       FROM escalation e JOIN observation o ON o.number = e.observation_number WHERE e.id = ANY($1)`,
      [ids],
    );
  }

  /** Makes the account the owner of an escalation still open; false when it is resolved. */
  async takeEscalation(id: string, accountId: string): Promise<boolean> {
    const [rows] = await this.dataSource.query(`UPDATE escalation SET owner_account = $2, updated_at = now() WHERE id = $1 AND state <> 'resolved' RETURNING id`, [id, accountId]);
    return rows.length > 0;
  }

  /** The whole tracking log, oldest first. */
  trackingLog(number: string): Promise<TrackingLine[]> {
    return this.dataSource.query(`SELECT ${TRACKING_COLUMNS} FROM tracking_log WHERE observation_number = $1 ORDER BY at, id`, [number]);
  }

  /** A page of the tracking log, oldest first. */
  trackingLogPage(number: string, page: { offset: number; pageSize: number }): Promise<{ items: TrackingLine[]; total: number }> {
    return queryPage(this.dataSource, { columns: TRACKING_COLUMNS, from: 'FROM tracking_log WHERE observation_number = $1', orderBy: 'at, id' }, [number], page);
  }

  /** Appends lines to the tracking log; a line already there (its dedup key) is kept. */
  async appendTrackingLog(number: string, entries: TrackingEntry[], db: EntityManager = this.dataSource.manager): Promise<void> {
    if (!entries.length) return;
    const insert = trackingLogInsert(number, entries);
    await db.query(insert.sql, insert.values);
  }

  /** The slots the observation has a report for, with the first report's temperature. */
  async reportedSlots(number: string): Promise<Array<{ slotStart: Date; temperature: number }>> {
    return this.dataSource.query(
      `SELECT DISTINCT ON (slot_start) slot_start AS "slotStart", temperature::float8 AS temperature FROM tracking_log
       WHERE observation_number = $1 AND kind = 'report' ORDER BY slot_start, at`,
      [number],
    );
  }

  /** Lines of many observations (the clock's reminders), a few thousand to a statement (PostgreSQL takes 65,535 parameters). */
  async appendTrackingLines(lines: Array<[number: string, entry: TrackingEntry]>, db: EntityManager = this.dataSource.manager): Promise<void> {
    for (let i = 0; i < lines.length; i += 5_000) {
      const insert = trackingLinesInsert(lines.slice(i, i + 5_000));
      await db.query(insert.sql, insert.values);
    }
  }

  /** The policies of the open observations on `clock`: the clock's agenda is made of their slots. */
  async policiesOnClock(clock: string): Promise<string[]> {
    const rows = await this.dataSource.query(`SELECT DISTINCT policy_id AS "policyId" FROM observation WHERE slot_clock = $1 AND status IN ('active', 'escalated', 'awaiting_pickup')`, [clock]);
    return rows.map((r: { policyId: string }) => r.policyId);
  }

  /**
   * The open observations on `clock` and `policyId` that owe a report for the slot opening at
   * `opensAt` and have none yet: enrolled by its opening, not released before it (slotsOf's rule).
   * With `previous` (the policy's slot before), whether that slot was missed too: its miss recorded
   * and no report for it since.
   */
  async owingSlot(clock: string, policyId: string, opensAt: number, previous?: { key: string; opensAt: number }): Promise<OwingSlot[]> {
    return this.dataSource.query(
      `SELECT o.number, o.person_id AS "personId", to_char(o.anchor_date, 'YYYY-MM-DD') AS "anchorDate",
              o.subdistrict, o.community, o.responsible_worker AS "responsibleWorker",
              ($4::text IS NOT NULL
                AND EXISTS (SELECT 1 FROM tracking_log t WHERE t.dedup_key = o.number || $4)
                AND NOT EXISTS (SELECT 1 FROM tracking_log t WHERE t.observation_number = o.number AND t.kind = 'report' AND t.slot_start = $5)) AS "previousMissed"
       FROM observation o
       WHERE ${ON_CLOCK_FOR_SLOT} AND o.status IN ('active', 'escalated', 'awaiting_pickup')
         AND NOT EXISTS (SELECT 1 FROM tracking_log t WHERE t.observation_number = o.number AND t.kind = 'report' AND t.slot_start = $3)
       ORDER BY o.number`,
      // The miss line's dedup key after its number (tracking-entry.ts, missed-report.ts).
      [clock, policyId, new Date(opensAt), previous ? dedupKeyOf('', 'missed_report', `missed:${previous.key}`) : null, previous ? new Date(previous.opensAt) : null],
    );
  }

  /**
   * Opens escalations of many observations (the clock's missed reports) in one statement. One that
   * exists is left as it is: a sweep retried must not reopen what a workflow has answered since.
   */
  async openEscalations(rows: Array<{ number: string; escalation: Escalation; ownerAccount: string | null }>, db: EntityManager = this.dataSource.manager): Promise<void> {
    if (!rows.length) return;
    const values: unknown[] = [];
    const tuples = rows.map(({ number, escalation: e, ownerAccount }) => {
      values.push(e.id, number, e.kind, e.ownerRole, e.owner, e.state, e.reason, new Date(e.openedAt), ownerAccount);
      const p = values.length - 9;
      return `($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, $${p + 6}, $${p + 7}, $${p + 8}, now(), $${p + 9})`;
    });
    await db.query(
      `INSERT INTO escalation (id, observation_number, kind, owner_role, owner, state, reason, opened_at, updated_at, owner_account)
       VALUES ${tuples.join(', ')} ON CONFLICT (id) DO NOTHING`,
      values,
    );
  }

  /** The observations on `clock` and `policyId` whose miss of the slot is recorded (the sweep's to tell, however often it ran). */
  async sweptMisses(clock: string, policyId: string, slot: { key: string; opensAt: number }): Promise<string[]> {
    const rows = await this.dataSource.query(
      `SELECT o.number FROM observation o
       WHERE ${ON_CLOCK_FOR_SLOT}
         AND EXISTS (SELECT 1 FROM tracking_log t WHERE t.dedup_key = o.number || $4)
       ORDER BY o.number`,
      [clock, policyId, new Date(slot.opensAt), dedupKeyOf('', 'missed_report', `missed:${slot.key}`)],
    );
    return rows.map((r: { number: string }) => r.number);
  }

  /** The escalations of these ids, as the workflow keeps them (those the clock opened for a slot, to tell their workflows). */
  async escalationsById(ids: string[], slotKey: string): Promise<Array<{ number: string; escalation: Escalation }>> {
    const rows: Array<EscalationRow & { number: string }> = await this.dataSource.query(
      `SELECT observation_number AS number, id, kind, owner_role AS "ownerRole", owner, state, reason, opened_at AS "openedAt", resolution, decided_by AS "decidedBy"
       FROM escalation WHERE id = ANY($1) ORDER BY observation_number, kind`,
      [ids],
    );
    return rows.map(({ number, openedAt, resolution, decidedBy, ...e }) => ({
      number,
      escalation: { ...e, openedAt: openedAt.getTime(), slotKey, ...(resolution !== null && { resolution }), ...(decidedBy !== null && { decidedBy }) },
    }));
  }

  /** Answers the clock's escalations whose observation ended before it could be told of them. */
  async resolveOpenEscalations(ids: string[], resolution: string): Promise<void> {
    await this.dataSource.query(`UPDATE escalation SET state = 'resolved', resolution = $2, updated_at = now() WHERE id = ANY($1) AND state <> 'resolved'`, [ids, resolution]);
  }

  /** Sets each observation's next due instant (undefined: none, its period ends first), in one statement. */
  async moveNextDue(dues: Array<{ number: string; nextDueAt: number | undefined }>, db: EntityManager = this.dataSource.manager): Promise<void> {
    await db.query(
      `UPDATE observation o SET next_due_at = d.next_due_at, updated_at = now() FROM unnest($1::text[], $2::timestamptz[]) AS d(number, next_due_at) WHERE o.number = d.number`,
      [dues.map((d) => d.number), dues.map((d) => dateOrNull(d.nextDueAt))],
    );
  }

  /**
   * Writes each escalation's latest state (opened, or changed since). `ownerAccounts` is written
   * with the first row only: a later write never changes who owns it (a take does).
   */
  async saveEscalations(number: string, escalations: Escalation[], ownerAccounts: Map<string, string | null>, db: EntityManager = this.dataSource.manager): Promise<void> {
    for (const e of escalations) {
      await db.query(
        `INSERT INTO escalation (id, observation_number, kind, owner_role, owner, state, reason, opened_at, updated_at, resolution, decided_by, owner_account)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now(), $9, $10, $11)
         ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, updated_at = now(), resolution = EXCLUDED.resolution, decided_by = EXCLUDED.decided_by`,
        [e.id, number, e.kind, e.ownerRole, e.owner, e.state, e.reason, new Date(e.openedAt), e.resolution ?? null, e.decidedBy ?? null, ownerAccounts.get(e.id) ?? null],
      );
    }
  }

  /** Writes the fields a pass changed on the observation's row. */
  async update(number: string, changes: ObservationRowChanges, db: EntityManager = this.dataSource.manager): Promise<void> {
    const fields = Object.entries(changes).filter(([, v]) => v !== undefined) as Array<[keyof ObservationRowChanges, never]>;
    if (!fields.length) return;
    const sets = fields.map(([key], i) => `${ROW_COLUMNS[key][0]} = $${i + 2}`);
    await db.query(`UPDATE observation SET ${sets.join(', ')}, updated_at = now() WHERE number = $1`, [number, ...fields.map(([key, value]) => ROW_COLUMNS[key][1](value))]);
  }

  /** The report taken under `requestId`, as its tracking line recorded it. */
  async reportLine(number: string, requestId: string): Promise<ReportLine | undefined> {
    const [row] = await this.dataSource.query(`SELECT ${REPORT_LINE} FROM tracking_log WHERE dedup_key = $1`, [dedupKeyOf(number, 'report', requestId)]);
    return row && reportLineOf(row);
  }

  /**
   * A report's tracking-log line and the row's last report and next due time, in one statement;
   * when a line with its key was already there (a repeat), nothing is written and that line is answered.
   */
  async recordReport(number: string, line: TrackingEntry, nextDueAt: Date | null): Promise<ReportLine | undefined> {
    const insert = trackingLogInsert(number, [line], 4);
    const [{ written }] = await this.dataSource.query(
      `WITH logged AS (${insert.sql} RETURNING 1),
       updated AS (UPDATE observation SET last_report_at = $2, next_due_at = $1, updated_at = now() WHERE number = $3 AND EXISTS (SELECT 1 FROM logged))
       SELECT EXISTS (SELECT 1 FROM logged) AS written`,
      [nextDueAt, new Date(line.at), number, ...insert.values],
    );
    if (written) return undefined;
    // Read in a statement of its own: a first write of the same key running at the same time made
    // this insert stand down once it committed, after the snapshot the statement above reads.
    const [earlier] = await this.dataSource.query(`SELECT ${REPORT_LINE} FROM tracking_log WHERE dedup_key = $1`, [line.dedupKey]);
    return earlier && reportLineOf(earlier);
  }

  /**
   * The next number of the counter `prefix` (its own statement, so the counter's row is locked only
   * while it commits), unless the person with the document is under observation or on record in
   * another place than `place`, or `requestId` was already enrolled there: then none is taken.
   * Devices the enrolment brings that are still on someone no longer observed are taken off them.
   */
  async takeNumber(input: { documentType: string; documentNumber: string; prefix: string; requestId: string | null; place: { subdistrict: string; community: string }; devices: PersonDevices }): Promise<NumberTaken> {
    const [taken] = await this.dataSource.query(
      `WITH person AS (${PERSON_BY_DOCUMENT}),
       known AS (SELECT number FROM observation WHERE client_request_id = $4 AND subdistrict = $5 AND community = $6),
       counter AS (
         INSERT INTO observation_number_counter (prefix, last_value) SELECT $3, 1
         WHERE NOT EXISTS (SELECT 1 FROM person WHERE "openNumber" IS NOT NULL OR (subdistrict, community) <> ($5, $6)) AND NOT EXISTS (SELECT 1 FROM known)
         ON CONFLICT (prefix) DO UPDATE SET last_value = observation_number_counter.last_value + 1 RETURNING last_value),
       given_back AS (
         UPDATE person p SET devices = p.devices - ARRAY(SELECT d.key FROM jsonb_each_text($7::jsonb) d WHERE p.devices->>d.key = d.value)
         WHERE EXISTS (SELECT 1 FROM counter) AND (p.document_type, p.document_number) <> ($1, $2)
           AND (p.devices->>'doorSensorId' = $7::jsonb->>'doorSensorId' OR p.devices->>'cameraId' = $7::jsonb->>'cameraId' OR p.devices->>'thermometerId' = $7::jsonb->>'thermometerId')
           AND NOT EXISTS (SELECT 1 FROM observation o WHERE o.person_id = p.id AND ${OPEN}))
       SELECT (SELECT row_to_json(person) FROM person) AS person, (SELECT number FROM known) AS "knownNumber", (SELECT last_value FROM counter) AS sequence`,
      [input.documentType, input.documentNumber, input.prefix, input.requestId, input.place.subdistrict, input.place.community, JSON.stringify(input.devices)],
    );
    return taken;
  }

  /**
   * Person (latest contact details win, only where they live), observation and its first line in one
   * statement; returns the person's id. A concurrent enrolment of the same person fails the
   * one-open-observation index and undoes it all; a person moved meanwhile is not updated, and the
   * observation without a person fails its NOT NULL.
   */
  /**
   * Returns the person's id, and whether no other open observation was on the same clock and policy
   * (so the clock may not yet wake for that policy's slots).
   */
  async recordEnrolment({ person: p, observation: o, enrolled }: NewEnrolment): Promise<{ personId: string; firstOnClock: boolean }> {
    const values: unknown[] = [
      p.name, p.documentType, p.documentNumber, p.mobile, p.subdistrict, p.community, p.building, p.unit, p.addressDetail, JSON.stringify(p.devices),
      o.number, o.category, o.responsibleWorker, o.anchorDate, o.policyId, o.startedAt, o.releaseDueAt, o.nextDueAt, o.requestId, p.language, o.slotClock,
    ];
    const line = trackingLogInsert(o.number, [enrolled], values.length + 1);
    const [row] = await this.dataSource.query(
      `WITH person AS (
         INSERT INTO person (name, document_type, document_number, mobile, subdistrict, community, building, unit, address_detail, devices, language)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $20)
         ON CONFLICT (document_type, document_number) DO UPDATE SET name = EXCLUDED.name, mobile = EXCLUDED.mobile, language = EXCLUDED.language,
           building = EXCLUDED.building, unit = EXCLUDED.unit, address_detail = EXCLUDED.address_detail, devices = EXCLUDED.devices
           WHERE person.subdistrict = EXCLUDED.subdistrict AND person.community = EXCLUDED.community
         RETURNING id),
       observed AS (
         INSERT INTO observation (number, person_id, category, status, subdistrict, community, responsible_worker, anchor_date, policy_id, started_at, release_due_at, next_due_at, client_request_id, slot_clock)
         VALUES ($11, (SELECT id FROM person), $12, 'active', $5, $6, $13, $14, $15, $16, $17, $18, $19, $21)),
       enrolled AS (${line.sql})
       SELECT id, NOT EXISTS (SELECT 1 FROM observation WHERE slot_clock = $21 AND policy_id = $15 AND status IN ('active', 'escalated', 'awaiting_pickup')) AS "firstOnClock"
       FROM person`,
      [...values, ...line.values],
    );
    return { personId: row.id, firstOnClock: row.firstOnClock };
  }

  /** The observation an enrolment request made in the place, if it made one. */
  async byRequestId(requestId: string, place: { subdistrict: string; community: string }): Promise<(Pick<ObservationRecord, 'number' | 'personId' | 'releaseDueAt' | 'policyId' | 'status'>) | undefined> {
    const [row] = await this.dataSource.query(
      `SELECT number, person_id AS "personId", release_due_at AS "releaseDueAt", policy_id AS "policyId", status FROM observation WHERE client_request_id = $1 AND subdistrict = $2 AND community = $3`,
      [requestId, place.subdistrict, place.community],
    );
    return row;
  }

  /** What (re)starting the observation's workflow needs. */
  async startRecord(number: string): Promise<ObservationStartRecord | undefined> {
    const [row] = await this.dataSource.query(
      `SELECT o.number, o.person_id AS "personId", o.category, o.subdistrict, o.community, o.responsible_worker AS "responsibleWorker",
              to_char(o.anchor_date, 'YYYY-MM-DD') AS "anchorDate", o.started_at AS "startedAt", o.policy_id AS "policyId",
              EXISTS (SELECT 1 FROM tracking_log t WHERE t.observation_number = o.number AND t.kind = 'enrolled') AS "enrolmentRecorded"
       FROM observation o WHERE o.number = $1`,
      [number],
    );
    return row;
  }
}

/** The selection as a WHERE clause on `observation o`. */
function where(selection: ObservationSelection): Where {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, ...values: unknown[]) => {
    clauses.push(sql.replace(/\?/g, () => `$${params.push(values.shift())}`));
  };
  if (selection.subdistrict) add('o.subdistrict = ?', selection.subdistrict);
  if (selection.community) add('o.community = ?', selection.community);
  if (selection.category) add('o.category = ?', selection.category);
  if (selection.status) add('o.status = ?', selection.status);
  if (selection.dueBetween) add(`${OPEN} AND o.next_due_at >= ? AND o.next_due_at < ?`, selection.dueBetween.from, selection.dueBetween.to);
  if (selection.overdue) add(`${OPEN} AND EXISTS (SELECT 1 FROM escalation e WHERE e.observation_number = o.number AND e.kind LIKE 'missed_report%' AND e.state <> 'resolved')`);
  return { clause: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/** An observation owing a slot's report, as the clock reminds and sweeps it. */
export interface OwingSlot {
  number: string;
  personId: string;
  anchorDate: string;
  subdistrict: string;
  community: string;
  responsibleWorker: string;
  /** Asked with the slot before: whether that slot was missed too. */
  previousMissed: boolean;
}

type EscalationRow = Pick<Escalation, 'id' | 'kind' | 'ownerRole' | 'owner' | 'state' | 'reason'> & { openedAt: Date; resolution: string | null; decidedBy: string | null };

/** A report as its tracking line recorded it. */
export interface ReportLine {
  at: Date;
  slotKey: string;
  temperature: number;
  fever: boolean;
}

const REPORT_LINE = `at, slot_start AS "slotStart", temperature::float8 AS temperature, (detail->>'fever')::boolean AS fever`;

function reportLineOf(row: { at: Date; slotStart: Date; temperature: number; fever: boolean }): ReportLine {
  return { at: row.at, slotKey: row.slotStart.toISOString(), temperature: row.temperature, fever: row.fever };
}

/**
 * The statement appending tracking-log lines (a line already there is kept), its parameters numbered
 * after `firstParameter - 1` others, so that it can be part of a larger statement.
 */
function trackingLogInsert(number: string, entries: TrackingEntry[], firstParameter = 1): { sql: string; values: unknown[] } {
  return trackingLinesInsert(entries.map((entry) => [number, entry]), firstParameter);
}

/** Lines of several observations in one statement. */
function trackingLinesInsert(lines: Array<[number: string, entry: TrackingEntry]>, firstParameter = 1): { sql: string; values: unknown[] } {
  const values: unknown[] = [];
  const rows = lines.map(([number, t], i) => {
    values.push(number, new Date(t.at), t.day, t.kind, t.slotStart ? new Date(t.slotStart) : null, t.temperature ?? null, JSON.stringify(t.detail), t.dedupKey);
    const b = firstParameter - 1 + i * 8;
    return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7}::jsonb, $${b + 8})`;
  });
  return {
    sql: `INSERT INTO tracking_log (observation_number, at, day, kind, slot_start, temperature, detail, dedup_key) VALUES ${rows.join(', ')} ON CONFLICT (dedup_key) DO NOTHING`,
    values,
  };
}
