import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ChannelName, NOTIFICATION_CHANNELS, NotificationChannels } from './channels';
import { NotificationLanguage, NotificationTemplate, renderNotification } from './notification-templates';

export type NotificationRecipient = { personId: string } | { staff: string; email?: string };

export interface NotificationRequest {
  /** Idempotency key chosen by the sender, e.g. `${observationNumber}:${purpose}`. */
  id: string;
  recipient: NotificationRecipient;
  /** Default: a person gets sms if configured, else outbox; staff get email if they have an address and SMTP is configured, else outbox. */
  channel?: ChannelName;
  template: NotificationTemplate;
  /** Default zh-CN. */
  language?: NotificationLanguage;
  /** `observationNumber` and `personName` are filled in from the record when the message concerns an observation. */
  params: Record<string, string | number>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function recipientKey(recipient: NotificationRecipient): string {
  return 'personId' in recipient ? `person:${recipient.personId}` : `staff:${recipient.staff}`;
}

/**
 * Stores messages in the `notification` table inside the caller's transaction, rendered and
 * addressed, so nothing a workflow decided to send is lost. In-app (outbox) messages are delivered
 * by being stored; the ids it returns still need an external channel (deliverNotification).
 * A message that can never be sent (bad params, unconfigured channel, unknown person) is stored
 * as failed with the reason rather than thrown, so one bad message never stalls its workflow.
 */
@Injectable()
export class NotificationOutbox {
  constructor(@Inject(NOTIFICATION_CHANNELS) private readonly channels: NotificationChannels) {}

  async enqueue(manager: EntityManager, requests: NotificationRequest[], observationNumber?: string): Promise<string[]> {
    if (!requests.length) return [];
    const subject = observationNumber ? await this.subjectOf(manager, observationNumber) : undefined;
    const toDeliver: string[] = [];
    for (const request of requests) {
      const language = request.language ?? 'zh-CN';
      let row: { channel: string; subject: string; body: string; address: string | null; state: string; error: string | null };
      try {
        const channel = this.channelFor(request);
        const message = renderNotification(request.template, language, { ...subject, ...request.params });
        const address = channel === 'outbox' ? recipientKey(request.recipient) : await addressOf(manager, request.recipient, channel);
        row = { channel, ...message, address, state: channel === 'outbox' ? 'sent' : 'pending', error: null };
      } catch (error) {
        row = { channel: request.channel ?? 'outbox', subject: request.template, body: '', address: null, state: 'failed', error: (error as Error).message };
      }
      const inserted = await manager.query(
        `INSERT INTO notification (id, observation_number, recipient, channel, template, language, subject, body, address, state, attempts, last_error, created_at, sent_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, CASE WHEN $10 = 'sent' THEN 1 ELSE 0 END, $11, now(), CASE WHEN $10 = 'sent' THEN now() END)
         ON CONFLICT (id) DO NOTHING RETURNING state`,
        [request.id, observationNumber ?? null, recipientKey(request.recipient), row.channel, request.template, language, row.subject, row.body, row.address, row.state, row.error],
      );
      const state = inserted.length ? inserted[0].state : (await manager.query(`SELECT state FROM notification WHERE id = $1`, [request.id]))[0].state;
      if (state === 'pending') toDeliver.push(request.id);
    }
    return toDeliver;
  }

  private channelFor(request: NotificationRequest): ChannelName {
    const { recipient } = request;
    const name = request.channel ?? ('personId' in recipient ? (this.channels.sms ? 'sms' : 'outbox') : recipient.email && this.channels.email ? 'email' : 'outbox');
    if (!this.channels[name]) throw new Error(`channel ${name} is not configured (${name === 'email' ? 'SMTP_URL' : 'SMS_GATEWAY_URL'} is not set)`);
    return name;
  }

  /** Who a message about an observation concerns; names stay in PostgreSQL, out of workflow histories. */
  private async subjectOf(manager: EntityManager, observationNumber: string): Promise<Record<string, string>> {
    const rows = await manager.query(`SELECT p.name FROM observation o JOIN person p ON p.id = o.person_id WHERE o.number = $1`, [observationNumber]);
    return { observationNumber, personName: rows[0]?.name ?? observationNumber };
  }
}

async function addressOf(manager: EntityManager, recipient: NotificationRecipient, channel: ChannelName): Promise<string> {
  if ('personId' in recipient) {
    if (channel !== 'sms') throw new Error(`person ${recipient.personId} has no ${channel} address: use sms or outbox`);
    // A malformed id would make PostgreSQL reject the uuid comparison.
    const rows = UUID.test(recipient.personId) ? await manager.query(`SELECT mobile FROM person WHERE id = $1`, [recipient.personId]) : [];
    if (!rows.length) throw new Error(`person ${recipient.personId} not found`);
    return rows[0].mobile;
  }
  if (channel !== 'email' || !recipient.email) {
    throw new Error(`staff ${recipient.staff} has no ${channel} address: give an email for email, or use outbox`);
  }
  return recipient.email;
}
