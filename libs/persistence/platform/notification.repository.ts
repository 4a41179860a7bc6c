import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { queryPage } from '../page-query';

export type NotificationState = 'pending' | 'sent' | 'failed';

/** A stored message, with its delivery state (table `notification`). */
export interface NotificationRow {
  /** Chosen by the sender, so a retried store or send leaves one message. */
  id: string;
  observationNumber: string | null;
  /** `person:<id>`, `account:<id>`, `staff:<roster staff id>` or `mobile:<number>`; `role:<role> of <place>` only on a message nobody could be found for (failed). */
  recipient: string;
  channel: string;
  template: string;
  language: string;
  subject: string;
  body: string;
  /** Phone, email or outbox key, resolved when the message was stored; null when it could not be. */
  address: string | null;
  state: NotificationState;
  attempts: number;
  lastError: string | null;
  /** A failed send is tried again from then on (backoff). */
  nextAttemptAt: Date | null;
  /** A send is in flight until then: no one else sends the message meanwhile. */
  deliveringUntil: Date | null;
  createdAt: Date;
  sentAt: Date | null;
}

/**
 * A message as its sender stores it: sent already (outbox), pending, or failed with the reason;
 * for an account, which one, and the record it concerns.
 */
export type NewNotification = Pick<NotificationRow, 'id' | 'observationNumber' | 'recipient' | 'channel' | 'template' | 'language' | 'subject' | 'body' | 'address' | 'state' | 'lastError'> & {
  accountId: string | null;
  concerns: { kind: string; id: string } | null;
};

/** What a send needs of a message it holds (a pending message always has its address). */
export type LeasedNotification = Pick<NotificationRow, 'channel' | 'subject' | 'body'> & { address: string };

const COLUMNS = `id, observation_number AS "observationNumber", recipient, channel, template, language, subject, body, address, state, attempts,
  last_error AS "lastError", next_attempt_at AS "nextAttemptAt", delivering_until AS "deliveringUntil", created_at AS "createdAt", sent_at AS "sentAt"`;

/** A message in an account's inbox (its in-app copy). */
export interface InboxMessage {
  id: string;
  template: string;
  subject: string;
  body: string;
  createdAt: Date;
  readAt: Date | null;
  concernsKind: string | null;
  concernsId: string | null;
}

const INBOX_COLUMNS = `id, template, subject, body, created_at AS "createdAt", read_at AS "readAt", concerns_kind AS "concernsKind", concerns_id AS "concernsId"`;
/** An account's inbox: its in-app copies that were stored to be read (a message that could not be rendered is a failed row, not a message). */
const IN_INBOX = `account_id = $1 AND channel = 'outbox' AND state = 'sent'`;
const INBOX = `FROM notification WHERE ${IN_INBOX}`;

/** Every statement on `notification`. */
@Injectable()
export class NotificationRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Stores messages in the caller's transaction in one statement (a message stored as sent counts
   * its one attempt); answers each id's state, the stored one's when the id was stored before.
   */
  async storeAll(manager: EntityManager, rows: NewNotification[]): Promise<Map<string, NotificationState>> {
    if (!rows.length) return new Map();
    const column = <K extends keyof NewNotification>(key: K) => rows.map((n) => n[key]);
    const inserted: Array<{ id: string; state: NotificationState }> = await manager.query(
      `INSERT INTO notification (id, observation_number, recipient, channel, template, language, subject, body, address, state, attempts, last_error, created_at, sent_at,
         account_id, concerns_kind, concerns_id)
       SELECT id, observation_number, recipient, channel, template, language, subject, body, address, state, CASE WHEN state = 'sent' THEN 1 ELSE 0 END, last_error,
         now(), CASE WHEN state = 'sent' THEN now() END, account_id, concerns_kind, concerns_id
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::uuid[], $13::text[], $14::text[])
         AS n(id, observation_number, recipient, channel, template, language, subject, body, address, state, last_error, account_id, concerns_kind, concerns_id)
       ON CONFLICT (id) DO NOTHING RETURNING id, state`,
      [
        column('id'), column('observationNumber'), column('recipient'), column('channel'), column('template'), column('language'), column('subject'), column('body'),
        column('address'), column('state'), column('lastError'), column('accountId'), rows.map((n) => n.concerns?.kind ?? null), rows.map((n) => n.concerns?.id ?? null),
      ],
    );
    const states = new Map(inserted.map((r) => [r.id, r.state]));
    const before = rows.map((n) => n.id).filter((id) => !states.has(id));
    if (before.length) for (const r of await manager.query(`SELECT id, state FROM notification WHERE id = ANY($1::text[])`, [before])) states.set(r.id, r.state);
    return states;
  }

  async find(id: string): Promise<NotificationRow | undefined> {
    const [row] = await this.dataSource.query(`SELECT ${COLUMNS} FROM notification WHERE id = $1`, [id]);
    return row;
  }

  /** Holds the pending messages for one send each, but those another send holds or that are not pending: what each send needs of those held. */
  async leaseAll(ids: string[], seconds: number): Promise<Array<LeasedNotification & { id: string }>> {
    if (!ids.length) return [];
    // An UPDATE answers [rows, count].
    const [rows] = await this.dataSource.query(
      `UPDATE notification SET delivering_until = now() + make_interval(secs => $2)
       WHERE id = ANY($1::text[]) AND state = 'pending' AND (delivering_until IS NULL OR delivering_until < now())
       RETURNING id, channel, subject, body, address`,
      [ids, seconds],
    );
    return rows;
  }

  async markSentAll(ids: string[]): Promise<void> {
    if (!ids.length) return;
    await this.dataSource.query(
      `UPDATE notification SET state = 'sent', attempts = attempts + 1, sent_at = now(), last_error = NULL, delivering_until = NULL, next_attempt_at = NULL WHERE id = ANY($1::text[])`,
      [ids],
    );
  }

  /**
   * A failed send, released: failed for good when `permanent` or when the message was stored more
   * than `giveUpAfterHours` ago (the reason then says so), else pending again with its next try
   * after `backoff.firstSeconds` doubled per attempt, at most `backoff.maxSeconds`.
   */
  async markFailed(
    id: string,
    failure: { permanent: boolean; reason: string; giveUpAfterHours: number; backoff: { firstSeconds: number; maxSeconds: number } },
  ): Promise<Pick<NotificationRow, 'state' | 'lastError'>> {
    const [[row]] = await this.dataSource.query(
      `UPDATE notification SET attempts = attempts + 1, delivering_until = NULL,
         state = CASE WHEN $2 OR created_at < now() - make_interval(hours => $4) THEN 'failed' ELSE 'pending' END,
         last_error = CASE WHEN NOT $2 AND created_at < now() - make_interval(hours => $4) THEN 'gave up after ' || $4 || ' h, at attempt ' || (attempts + 1) || ': ' || $3 ELSE $3 END,
         next_attempt_at = now() + make_interval(secs => least($5 * power(2, attempts), $6))
       WHERE id = $1 RETURNING state, last_error AS "lastError"`,
      [id, failure.permanent, failure.reason, failure.giveUpAfterHours, failure.backoff.firstSeconds, failure.backoff.maxSeconds],
    );
    return row;
  }

  /** Pending messages due for another try and held by no send, oldest first; one never tried is due `firstTryAfterSeconds` after it was stored. */
  async due(limit: number, firstTryAfterSeconds: number): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM notification
       WHERE state = 'pending' AND coalesce(next_attempt_at, created_at + make_interval(secs => $2)) <= now() AND (delivering_until IS NULL OR delivering_until < now())
       ORDER BY created_at LIMIT $1`,
      [limit, firstTryAfterSeconds],
    );
    return rows.map((r) => r.id);
  }

  /** A page of an account's inbox: unread first, then newest first. */
  inboxPage(accountId: string, page: { offset: number; pageSize: number }): Promise<{ items: InboxMessage[]; total: number }> {
    return queryPage(this.dataSource, { columns: INBOX_COLUMNS, from: INBOX, orderBy: '(read_at IS NOT NULL), created_at DESC, id DESC' }, [accountId], page);
  }

  /** The messages of these ids in the account's inbox (none of another account's). */
  inboxMessages(accountId: string, ids: string[]): Promise<InboxMessage[]> {
    return this.dataSource.query(`SELECT ${INBOX_COLUMNS} ${INBOX} AND id = ANY($2)`, [accountId, ids]);
  }

  async unreadCount(accountId: string): Promise<number> {
    const [{ unread }] = await this.dataSource.query(`SELECT count(*)::int AS unread ${INBOX} AND read_at IS NULL`, [accountId]);
    return unread;
  }

  /** Marks the account's unread messages of these ids (all of them when null) read; answers how many were unread. */
  async markRead(accountId: string, ids: string[] | null): Promise<number> {
    const [, count] = await this.dataSource.query(`UPDATE notification SET read_at = now() WHERE ${IN_INBOX} AND read_at IS NULL AND ($2::text[] IS NULL OR id = ANY($2))`, [accountId, ids]);
    return count;
  }
}
