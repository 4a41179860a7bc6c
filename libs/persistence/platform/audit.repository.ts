import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** One row of the append-only audit log (table `audit_log`), as it is written. */
export interface NewAuditEntry {
  actorId: string | null;
  actor: string;
  actorRole: string | null;
  actorSubdistrict: string | null;
  /** `METHOD /route/:param`. */
  action: string;
  recordType: string | null;
  recordId: string | null;
  subdistrict: string | null;
  community: string | null;
  status: number;
  ip: string | null;
  requestId: string | null;
  /** JSON text. */
  detail: string;
}

/** A stored row: its id orders the log; `at` as ISO 8601 UTC. */
export interface AuditEntry extends Omit<NewAuditEntry, 'detail'> {
  id: string;
  at: string;
  detail: Record<string, unknown>;
}

/** Rows that match every filter given; `subdistrict` matches the record's or the actor's. */
export interface AuditFilter {
  actor?: string;
  /** Part of the action, any case. */
  action?: string;
  recordType?: string;
  recordId?: string;
  subdistrict?: string;
  community?: string;
  from?: Date;
  to?: Date;
  /** Rows older than this id. */
  before?: string;
  limit: number;
}

const INSERT_COLUMNS = 'actor_id, actor, actor_role, actor_subdistrict, action, record_type, record_id, subdistrict, community, status, ip, request_id, detail';
const FIELDS: Array<keyof NewAuditEntry> = ['actorId', 'actor', 'actorRole', 'actorSubdistrict', 'action', 'recordType', 'recordId', 'subdistrict', 'community', 'status', 'ip', 'requestId', 'detail'];
/** Rows one INSERT carries at most (PostgreSQL allows 65,535 parameters a statement). */
export const MAX_AUDIT_BATCH = 500;

const COLUMNS = `id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, actor_id AS "actorId", actor, actor_role AS "actorRole",
  actor_subdistrict AS "actorSubdistrict", action, record_type AS "recordType", record_id AS "recordId", subdistrict, community, status, ip,
  request_id AS "requestId", detail`;

/** Every statement on `audit_log` (its trigger refuses updates and deletes). */
@Injectable()
export class AuditRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Appends up to MAX_AUDIT_BATCH rows in one statement. */
  async append(entries: NewAuditEntry[]): Promise<void> {
    await this.dataSource.query(`INSERT INTO audit_log (${INSERT_COLUMNS}) VALUES ${entries.map((_, r) => `(${placeholders(r)})`).join(', ')}`, entries.flatMap(valuesOf));
  }

  /** Whether a row can be written now: it is inserted and rolled back; throws why not. */
  async checkWritable(entry: NewAuditEntry): Promise<void> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.startTransaction();
      await runner.query(`INSERT INTO audit_log (${INSERT_COLUMNS}) VALUES (${placeholders(0)})`, valuesOf(entry));
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      await runner.release();
    }
  }

  /** Newest first. */
  list(query: AuditFilter): Promise<AuditEntry[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replaceAll('?', `$${params.length}`));
    };
    if (query.subdistrict) add('(subdistrict = ? OR actor_subdistrict = ?)', query.subdistrict);
    if (query.community) add('community = ?', query.community);
    if (query.actor) add('actor = ?', query.actor);
    if (query.action) add('action ILIKE ?', `%${query.action}%`);
    if (query.recordType) add('record_type = ?', query.recordType);
    if (query.recordId) add('record_id = ?', query.recordId);
    if (query.from) add('at >= ?', query.from);
    if (query.to) add('at < ?', query.to);
    if (query.before) add('id < ?', query.before);
    params.push(query.limit);
    return this.dataSource.query(`SELECT ${COLUMNS} FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${params.length}`, params);
  }
}

/** The parameters of the r-th row of an INSERT. */
function placeholders(r: number): string {
  return FIELDS.map((_, c) => `$${r * FIELDS.length + c + 1}`).join(', ');
}

function valuesOf(entry: NewAuditEntry): unknown[] {
  return FIELDS.map((field) => entry[field]);
}
