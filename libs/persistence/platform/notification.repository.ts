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
   * Stores a message in the caller's transaction (a message stored as sent counts its one attempt);
   * answers its state, the stored one's when the id was stored before.
   */
  async store(manager: EntityManager, n: NewNotification): Promise<NotificationState> {
    const inserted: Array<{ state: NotificationState }> = await manager.query(
      `INSERT INTO notification (id, observation_number, recipient, channel, template, language, subject, body, address, state, attempts, last_error, created_at, sent_at,
         account_id, concerns_kind, concerns_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, CASE WHEN $10 = 'sent' THEN 1 ELSE 0 END, $11, now(), CASE WHEN $10 = 'sent' THEN now() END, $12, $13, $14)
       ON CONFLICT (id) DO NOTHING RETURNING state`,
      [n.id, n.observationNumber, n.recipient, n.channel, n.template, n.language, n.subject, n.body, n.address, n.state, n.lastError, n.accountId, n.concerns?.kind ?? null, n.concerns?.id ?? null],
    );
    if (inserted.length) return inserted[0].state;
    const [stored] = await manager.query(`SELECT state FROM notification WHERE id = $1`, [n.id]);
    return stored.state;
  }

  async find(id: string): Promise<NotificationRow | undefined> {
    const [row] = await this.dataSource.query(`SELECT ${COLUMNS} FROM notification WHERE id = $1`, [id]);
    return row;
  }

  /** Holds a pending message for one send, unless another send holds it: undefined then, or when it is not pending. */
  async lease(id: string, seconds: number): Promise<LeasedNotification | undefined> {
    // An UPDATE answers [rows, count].
    const [[row]] = await this.dataSource.query(
      `UPDATE notification SET delivering_until = now() + make_interval(secs => $2)
       WHERE id = $1 AND state = 'pending' AND (delivering_until IS NULL OR delivering_until < now())
       RETURNING channel, subject, body, address`,
      [id, seconds],
    );
    return row;
  }

  async markSent(id: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE notification SET state = 'sent', attempts = attempts + 1, sent_at = now(), last_error = NULL, delivering_until = NULL, next_attempt_at = NULL WHERE id = $1`,
      [id],
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
