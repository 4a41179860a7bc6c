import { Inject, Injectable } from '@nestjs/common';
import { ApplicationFailure } from '@temporalio/common';
import { EntityManager } from 'typeorm';
import { PersonRepository } from '../persistence/observation/person.repository';
import { NotificationRepository, NotificationState } from '../persistence/platform/notification.repository';
import { ChannelName, DeliveryError, NOTIFICATION_CHANNELS, NotificationChannels } from './channels';
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

export interface DeliveredNotification {
  id: string;
  state: 'sent';
  channel: ChannelName;
}

/** Sends in flight hold their message this long, more than any send can take (channels.ts), so no one else sends it meanwhile. */
const DELIVERY_LEASE_SECONDS = 120;
/** A message not delivered this long after it was stored is given up: it is no longer news. */
const GIVE_UP_AFTER_HOURS = 24;
/** A message is tried again after 5 s, 10 s, 20 s … at most an hour after its last failure. */
const BACKOFF = { firstSeconds: 5, maxSeconds: 3_600 };
/** A message its sender has not tried yet (a workflow's delivery is about to run) is left to it this long. */
const RELAY_AFTER_SECONDS = 60;

export function recipientKey(recipient: NotificationRecipient): string {
  return 'personId' in recipient ? `person:${recipient.personId}` : `staff:${recipient.staff}`;
}

/**
 * Stores messages in the `notification` table inside the caller's transaction, rendered and
 * addressed, so nothing a workflow or the API decided to send is lost, and delivers stored ones.
 * In-app (outbox) messages are delivered by being stored; the ids `enqueue` returns still need an
 * external channel (`deliver`). A message that can never be sent (bad params, unconfigured channel,
 * unknown person) is stored as failed with the reason rather than thrown, so one bad message never
 * stalls its workflow.
 *
 * Two deliverers may hold the same message: its sender (a workflow's delivery activity, the API's
 * one try after a commit) and the outbox relay. Each send first leases the row, so they never send
 * it at once; a message already sent is not sent again. A failed send stays pending, with a time
 * before which it is not tried again, and is rethrown for Temporal to retry, unless it can never
 * succeed or has been pending for GIVE_UP_AFTER_HOURS: then the row is failed with the reason and
 * the error non-retryable.
 */
@Injectable()
export class NotificationOutbox {
  constructor(
    private readonly notifications: NotificationRepository,
    @Inject(NOTIFICATION_CHANNELS) private readonly channels: NotificationChannels,
    private readonly people: PersonRepository,
  ) {}

  async enqueue(manager: EntityManager, requests: NotificationRequest[], observationNumber?: string): Promise<string[]> {
    if (!requests.length) return [];
    const subject = observationNumber ? await this.subjectOf(manager, observationNumber) : undefined;
    const toDeliver: string[] = [];
    for (const request of requests) {
      const language = request.language ?? 'zh-CN';
      let row: { channel: string; subject: string; body: string; address: string | null; state: NotificationState; error: string | null };
      try {
        const channel = this.channelFor(request);
        const message = renderNotification(request.template, language, { ...subject, ...request.params });
        const address = channel === 'outbox' ? recipientKey(request.recipient) : await addressOf(manager, this.people, request.recipient, channel);
        row = { channel, ...message, address, state: channel === 'outbox' ? 'sent' : 'pending', error: null };
      } catch (error) {
        row = { channel: request.channel ?? 'outbox', subject: request.template, body: '', address: null, state: 'failed', error: (error as Error).message };
      }
      const state = await this.notifications.store(manager, {
        id: request.id,
        observationNumber: observationNumber ?? null,
        recipient: recipientKey(request.recipient),
        channel: row.channel,
        template: request.template,
        language,
        subject: row.subject,
        body: row.body,
        address: row.address,
        state: row.state,
        lastError: row.error,
      });
      if (state === 'pending') toDeliver.push(request.id);
    }
    return toDeliver;
  }

  /** Delivers a stored message through its channel. */
  async deliver(id: string): Promise<DeliveredNotification> {
    const row = await this.notifications.lease(id, DELIVERY_LEASE_SECONDS);
    if (!row) return this.notDeliverable(id);
    const channel = this.channels[row.channel as ChannelName];
    try {
      if (!channel) throw new DeliveryError(`channel ${row.channel} is not configured in this process`, false);
      await channel.deliver({ id, to: row.address, subject: row.subject, body: row.body });
    } catch (error) {
      const permanent = error instanceof DeliveryError && error.permanent;
      const reason = error instanceof Error ? error.message : String(error);
      const failed = await this.notifications.markFailed(id, { permanent, reason, giveUpAfterHours: GIVE_UP_AFTER_HOURS, backoff: BACKOFF });
      if (failed.state === 'failed') throw ApplicationFailure.nonRetryable(failed.lastError, permanent ? 'NotificationRejected' : 'NotificationGivenUp');
      throw error;
    }
    await this.notifications.markSent(id);
    return { id, state: 'sent', channel: row.channel as ChannelName };
  }

  /** Tries each stored message once, now; a failed try stays pending for the outbox relay to retry. */
  async tryNow(ids: string[]): Promise<void> {
    for (const id of ids) await this.deliver(id).catch(() => undefined);
  }

  /** Pending messages due for another try, oldest first: the outbox relay's work. */
  due(limit: number): Promise<string[]> {
    return this.notifications.due(limit, RELAY_AFTER_SECONDS);
  }

  /** Why a message could not be leased: already sent (fine), failed or unknown (never), or in flight (later). */
  private async notDeliverable(id: string): Promise<DeliveredNotification> {
    const row = await this.notifications.find(id);
    if (!row) throw ApplicationFailure.nonRetryable(`notification ${id} not found`, 'NotificationNotFound');
    if (row.state === 'sent') return { id, state: 'sent', channel: row.channel as ChannelName };
    if (row.state === 'failed') throw ApplicationFailure.nonRetryable(`notification ${id}: ${row.lastError}`, row.address === null ? 'NotificationInvalid' : 'NotificationFailed');
    throw new DeliveryError(`notification ${id} is being sent by another attempt`, false);
  }

  private channelFor(request: NotificationRequest): ChannelName {
    const { recipient } = request;
    const name = request.channel ?? ('personId' in recipient ? (this.channels.sms ? 'sms' : 'outbox') : recipient.email && this.channels.email ? 'email' : 'outbox');
    if (!this.channels[name]) throw new Error(`channel ${name} is not configured (${name === 'email' ? 'SMTP_URL' : 'SMS_GATEWAY_URL'} is not set)`);
    return name;
  }

  /** Who a message about an observation concerns; names stay in PostgreSQL, out of workflow histories. */
  private async subjectOf(manager: EntityManager, observationNumber: string): Promise<Record<string, string>> {
    return { observationNumber, personName: (await this.people.nameOfObservation(observationNumber, manager)) ?? observationNumber };
  }
}

async function addressOf(manager: EntityManager, people: PersonRepository, recipient: NotificationRecipient, channel: ChannelName): Promise<string> {
  if ('personId' in recipient) {
    if (channel !== 'sms') throw new Error(`person ${recipient.personId} has no ${channel} address: use sms or outbox`);
    const mobile = await people.mobileOf(recipient.personId, manager);
    if (!mobile) throw new Error(`person ${recipient.personId} not found`);
    return mobile;
  }
  if (channel !== 'email' || !recipient.email) {
    throw new Error(`staff ${recipient.staff} has no ${channel} address: give an email for email, or use outbox`);
  }
  return recipient.email;
}
