import { Injectable, Logger } from '@nestjs/common';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { narrowFilter } from '../../../libs/auth/jurisdiction';
import type { Principal } from '../../../libs/auth/roles';
import { REQUEST_ID_HEADER } from '../metrics/request-log.middleware';
import type { RecordPlace } from '../auth/jurisdiction.resolver';

/** What the guard and the login learn about a request, for the audit row. */
export interface AuditedRequest extends Request {
  principal?: Principal;
  auditRecord?: RecordPlace;
  /** Login: the name someone tried, before anyone is authenticated; the dispatch webhook: the dispatch system, whose signature stands for a login. */
  claimedUser?: string;
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  recordType?: string;
  recordId?: string;
  subdistrict?: string;
  community?: string;
  from?: Date;
  to?: Date;
  /** Rows older than this id (the previous page's last id). */
  before?: string;
  limit: number;
}

const INSERT_COLUMNS = 'actor_id, actor, actor_role, actor_subdistrict, action, record_type, record_id, subdistrict, community, status, ip, request_id, detail';
const PER_ROW = INSERT_COLUMNS.split(',').length;
/** Rows one INSERT carries at most (PostgreSQL allows 65,535 parameters a statement). */
const MAX_BATCH = 500;

const COLUMNS = `id, at, actor_id AS "actorId", actor, actor_role AS "actorRole", actor_subdistrict AS "actorSubdistrict", action,
  record_type AS "recordType", record_id AS "recordId", subdistrict, community, status, ip, request_id AS "requestId", detail`;

/**
 * The append-only log of commands: written here, never updated or deleted (the table's trigger refuses).
 * Group commit: rows that arrive while an INSERT is in flight go together in the next one, and each
 * caller waits for its own row's commit, so a busy minute costs a few statements, not one per command.
 */
@Injectable()
export class AuditService {
  private readonly logger = new Logger('audit');
  private queue: Array<{ values: unknown[]; done: (error?: Error) => void }> = [];
  private writing = false;

  constructor(private readonly dataSource: DataSource) {}

  async record(request: AuditedRequest, status: number, error?: unknown): Promise<void> {
    const actor = request.principal;
    const place = request.auditRecord;
    const fallback = firstParam(request);
    const detail: Record<string, unknown> = { params: request.params ?? {}, query: request.query ?? {} };
    if (error) detail.error = (error as Error).message;
    try {
      await this.append([
        actor?.userId ?? null,
        actor?.username ?? request.claimedUser ?? 'anonymous',
        actor?.role ?? null,
        actor?.subdistrict ?? null,
        `${request.method} ${request.route?.path ?? request.path}`,
        place?.type ?? fallback?.type ?? null,
        place?.id ?? fallback?.id ?? null,
        place?.places[0]?.subdistrict ?? null,
        place?.places[0]?.community ?? null,
        status,
        request.ip ?? request.socket?.remoteAddress ?? null,
        request.header(REQUEST_ID_HEADER) ?? null,
        JSON.stringify(detail),
      ]);
    } catch (failure) {
      // The command itself has happened; a lost audit row must at least be loud in the log.
      this.logger.error(`audit row not written for ${request.method} ${request.originalUrl}: ${(failure as Error).message}`);
    }
  }

  private append(values: unknown[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ values, done: (error) => (error ? reject(error) : resolve()) });
      void this.writeQueued();
    });
  }

  private async writeQueued(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, MAX_BATCH);
        const rows = batch.map((_, r) => `(${Array.from({ length: PER_ROW }, (_, c) => `$${r * PER_ROW + c + 1}`).join(', ')})`);
        try {
          await this.dataSource.query(`INSERT INTO audit_log (${INSERT_COLUMNS}) VALUES ${rows.join(', ')}`, batch.flatMap((b) => b.values));
          batch.forEach((b) => b.done());
        } catch (failure) {
          batch.forEach((b) => b.done(failure as Error));
        }
      }
    } finally {
      this.writing = false;
    }
  }

  /** Newest first; a supervisor of a subdistrict sees the commands on its records and by its people. */
  async list(actor: Principal, filter: AuditFilter) {
    const scoped = narrowFilter(actor, { subdistrict: filter.subdistrict, community: filter.community });
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (scoped.subdistrict) {
      params.push(scoped.subdistrict);
      where.push(`(subdistrict = $${params.length} OR actor_subdistrict = $${params.length})`);
    }
    if (scoped.community) add('community = ?', scoped.community);
    if (filter.actor) add('actor = ?', filter.actor);
    if (filter.action) add('action ILIKE ?', `%${filter.action}%`);
    if (filter.recordType) add('record_type = ?', filter.recordType);
    if (filter.recordId) add('record_id = ?', filter.recordId);
    if (filter.from) add('at >= ?', filter.from);
    if (filter.to) add('at < ?', filter.to);
    if (filter.before) add('id < ?', filter.before);
    params.push(filter.limit);
    const rows = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
    return { items: rows, nextBefore: rows.length === filter.limit ? rows[rows.length - 1].id : null };
  }
}

/** For routes without a resolved record: the path's first segment and first parameter (e.g. users/:id). */
function firstParam(request: Request): { type: string; id: string } | undefined {
  const [name] = Object.keys(request.params ?? {});
  if (!name) return undefined;
  const type = (request.route?.path ?? request.path).split('/').filter(Boolean)[0];
  return { type, id: String(request.params[name]) };
}
