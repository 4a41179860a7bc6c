import { Injectable, Logger } from '@nestjs/common';
import { maskPersonalData } from '../domain/personal-data';
import { HttpProblem, unavailableReason } from '../nest/http-errors.filter';
import type { Request } from 'express';
import { AuditEntry, AuditFilter, AuditRepository, MAX_AUDIT_BATCH, NewAuditEntry } from '../persistence/platform/audit.repository';
import { narrowFilter } from '../auth/jurisdiction';
import type { Principal } from '../auth/roles';
import { REQUEST_ID_HEADER } from '../nest/request-log.middleware';
import type { RecordPlace } from '../auth/jurisdiction.resolver';
import { MINUTE } from '../domain/local-time';

/** What the guard and the login learn about a request, for the audit row. */
export interface AuditedRequest extends Request {
  principal?: Principal;
  auditRecord?: RecordPlace;
  /** Login: the name someone tried, before anyone is authenticated; the dispatch webhook: the dispatch system, whose signature stands for a login. */
  claimedUser?: string;
}

/** A live page re-reads a record every few seconds: one row per account, route, record and query in this window. */
const READ_WINDOW_MS = 10 * MINUTE;

/** PostgreSQL's text cannot hold NUL: the log keeps what was sent with each NUL shown as U+FFFD. */
const storable = (value: unknown) => (typeof value === 'string' ? value.replace(/\0/g, '\uFFFD') : value);

/**
 * The append-only log of commands and of reads that export personal data: written here, never
 * updated or deleted (the table's trigger refuses). Group commit: rows that arrive while an INSERT is
 * in flight go together in the next one, and each caller waits for its own row's commit, so a busy
 * minute costs a few statements, not one per command.
 */
@Injectable()
export class AuditService {
  private readonly logger = new Logger('audit');
  private queue: Array<{ entry: NewAuditEntry; done: (error?: Error) => void }> = [];
  private writing = false;
  /** True from a failed write until a write or a check succeeds: commands are then checked before they run. */
  private lastWriteFailed = false;
  /** When each audited read was last recorded. */
  private readonly recentReads = new Map<string, number>();

  constructor(private readonly entries: AuditRepository) {}

  /**
   * Appends the request's row; when it cannot be written, throws the 503 the request is answered
   * with instead (audit_unavailable), so nothing is answered as done without its audit row.
   * `outcome` tells the caller what became of the request then.
   */
  async record(request: AuditedRequest, status: number, error?: unknown, outcome = 'the request is refused; try again when it is back'): Promise<void> {
    try {
      await this.append(rowOf(request, status, error));
      this.lastWriteFailed = false;
    } catch (failure) {
      throw this.unavailable(request, failure, outcome);
    }
  }

  /**
   * Before a command runs: after a failed write, that its row can be written now (inserted and
   * rolled back), else the 503 it is refused with. Nothing to check while writes succeed.
   */
  async assertWritable(request: AuditedRequest): Promise<void> {
    if (!this.lastWriteFailed) return;
    try {
      await this.entries.checkWritable(rowOf(request, 0));
      this.lastWriteFailed = false;
    } catch (failure) {
      throw this.unavailable(request, failure, 'the command is refused before it runs; try again when it is back');
    }
  }

  private unavailable(request: AuditedRequest, failure: unknown, outcome: string): HttpProblem {
    this.lastWriteFailed = true;
    const reason = unavailableReason(failure) ?? (failure as Error).message;
    this.logger.error(`audit row not written for ${request.method} ${request.route?.path ?? request.path}: ${reason}`);
    return new HttpProblem('audit_unavailable', `the audit log cannot be written (${reason}): ${outcome}`);
  }

  /** An audited read, recorded (status 200) before its data is sent; again only after READ_WINDOW_MS. */
  async recordRead(request: AuditedRequest): Promise<void> {
    const key = JSON.stringify([request.principal?.userId, request.route?.path, request.params, request.query]);
    const now = Date.now();
    if (now - (this.recentReads.get(key) ?? -Infinity) < READ_WINDOW_MS) return;
    await this.record(request, 200);
    this.recentReads.set(key, now);
    if (this.recentReads.size > 10_000) for (const [k, at] of this.recentReads) if (now - at >= READ_WINDOW_MS) this.recentReads.delete(k);
  }

  private append(entry: NewAuditEntry): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ entry, done: (error) => (error ? reject(error) : resolve()) });
      void this.writeQueued();
    });
  }

  private async writeQueued(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, MAX_AUDIT_BATCH);
        try {
          await this.entries.append(batch.map((b) => b.entry));
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
  async list(actor: Principal, filter: AuditFilter): Promise<{ items: AuditEntry[]; nextBefore: string | null }> {
    const rows = await this.entries.list(narrowFilter(actor, filter));
    return { items: rows, nextBefore: rows.length === filter.limit ? rows[rows.length - 1].id : null };
  }
}

/** A request's audit row. */
function rowOf(request: AuditedRequest, status: number, error?: unknown): NewAuditEntry {
  const actor = request.principal;
  const place = request.auditRecord;
  const fallback = firstParam(request);
  const detail: Record<string, unknown> = { params: request.params ?? {}, query: request.query ?? {} };
  if (error) detail.error = maskPersonalData((error as Error).message);
  const entry: NewAuditEntry = {
    actorId: actor?.userId ?? null,
    actor: actor?.username ?? request.claimedUser ?? 'anonymous',
    actorRole: actor?.role ?? null,
    actorSubdistrict: actor?.subdistrict ?? null,
    action: `${request.method} ${request.route?.path ?? request.path}`,
    recordType: place?.type ?? fallback?.type ?? null,
    recordId: place?.id ?? fallback?.id ?? null,
    subdistrict: place?.places[0]?.subdistrict ?? null,
    community: place?.places[0]?.community ?? null,
    status,
    ip: request.ip ?? request.socket?.remoteAddress ?? null,
    requestId: request.header(REQUEST_ID_HEADER) ?? null,
    detail: JSON.stringify(detail, (_key, value) => storable(value)),
  };
  // Every field keeps its type: storable changes only the characters of a string.
  return Object.fromEntries(Object.entries(entry).map(([field, value]) => [field, storable(value)])) as unknown as NewAuditEntry;
}

/** For routes without a resolved record: the path's first segment and first parameter (e.g. users/:id). */
function firstParam(request: Request): { type: string; id: string } | undefined {
  const [name] = Object.keys(request.params ?? {});
  if (!name) return undefined;
  const type = (request.route?.path ?? request.path).split('/').filter(Boolean)[0];
  return { type, id: String(request.params[name]) };
}
