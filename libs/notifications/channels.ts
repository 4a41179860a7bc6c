import { createTransport, type Mail } from 'nodemailer';
import { configuredUrl } from '../config/config';
import { maskPersonalData } from '../domain/personal-data';

export type ChannelName = 'outbox' | 'email' | 'sms';

export interface OutgoingMessage {
  /** The notification's id: the gateway's Idempotency-Key and the email's Message-ID, so a repeated send can be recognised. */
  id: string;
  to: string;
  subject: string;
  body: string;
}

export interface NotificationChannel {
  readonly name: ChannelName;
  deliver(message: OutgoingMessage): Promise<void>;
}

/** The channels this process can use; outbox is always there, the others only when configured. */
export type NotificationChannels = { outbox: NotificationChannel } & Partial<Record<ChannelName, NotificationChannel>>;

export const NOTIFICATION_CHANNELS = Symbol('NOTIFICATION_CHANNELS');

/**
 * A failed delivery; `permanent` when sending the same message again cannot succeed. The server's
 * reply often repeats the address or number: masked, since the message is stored and logged.
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(maskPersonalData(message));
    this.name = 'DeliveryError';
  }
}

/** In-app: the stored notification row is the message, so there is nothing to send. */
export class OutboxChannel implements NotificationChannel {
  readonly name = 'outbox';

  async deliver(): Promise<void> {}
}

/**
 * Every send ends well within the delivery activity's 1-minute start-to-close timeout
 * (workflows/shared/effects.ts, workflows/system/outbox-relay.workflow.ts), so Temporal does not
 * try a message again while its first send may still get through. SMTP: connecting, the greeting
 * and each reply have their own limit; SMS: one limit for the whole request.
 */
export const SMTP_TIMEOUTS = { connectionTimeout: 5_000, greetingTimeout: 5_000, socketTimeout: 10_000 };
const SMS_TIMEOUT_MS = 15_000;

/** The Message-ID of a notification's email: its id, in the characters a Message-ID allows. */
export function messageIdOf(id: string, from: string): string {
  const local = Array.from(Buffer.from(id, 'utf8'), (byte) => {
    const char = String.fromCharCode(byte);
    return /[A-Za-z0-9_-]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'epi-ops.local';
  return `<${local}@${domain}>`;
}

export class EmailChannel implements NotificationChannel {
  readonly name = 'email';
  private readonly transport: Mail;

  /** smtpUrl: smtp://user:pass@host:port (smtps:// for implicit TLS). */
  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    this.transport = createTransport({ url: smtpUrl, ...SMTP_TIMEOUTS });
  }

  async deliver(message: OutgoingMessage): Promise<void> {
    try {
      await this.transport.sendMail({ from: this.from, to: message.to, subject: message.subject, text: message.body, messageId: messageIdOf(message.id, this.from) });
    } catch (error) {
      const { code, responseCode, message: text } = error as { code?: string; responseCode?: number; message: string };
      // A 5xx reply to the envelope or the message rejects this mail for good; connection and
      // authentication failures may clear up, so those stay retryable.
      const rejected = (code === 'EENVELOPE' || code === 'EMESSAGE') && responseCode !== undefined && responseCode >= 500;
      throw new DeliveryError(`SMTP: ${text}`, rejected);
    }
  }
}

/** POSTs `{ to, text }` as JSON with the notification id as Idempotency-Key; the gateway answers 2xx when it has accepted the message. */
export class SmsGatewayChannel implements NotificationChannel {
  readonly name = 'sms';

  constructor(
    private readonly url: string,
    private readonly token?: string,
  ) {}

  async deliver(message: OutgoingMessage): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': message.id };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    // Network errors and timeouts propagate as they are: retryable.
    const response = await fetch(this.url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ to: message.to, text: message.body }),
      signal: AbortSignal.timeout(SMS_TIMEOUT_MS),
    });
    if (response.ok) return;
    const text = (await response.text().catch(() => '')).slice(0, 500);
    const { status } = response;
    // 408 and 429 ask to come back later; any other 4xx says this request will never be accepted.
    const permanent = status >= 400 && status < 500 && status !== 408 && status !== 429;
    throw new DeliveryError(`SMS gateway answered ${status}: ${text}`, permanent);
  }
}

/** Channels from SMTP_URL, SMTP_FROM, SMS_GATEWAY_URL and SMS_GATEWAY_TOKEN; unset ones are absent. */
export function createChannels(env: Record<string, string | undefined>): NotificationChannels {
  const channels: NotificationChannels = { outbox: new OutboxChannel() };
  const smtpUrl = configuredUrl(env, 'SMTP_URL', ['smtp:', 'smtps:'], 'smtp://user:pass@host:port');
  if (smtpUrl) channels.email = new EmailChannel(smtpUrl, env.SMTP_FROM || 'noreply@epi-ops.local');
  const smsUrl = configuredUrl(env, 'SMS_GATEWAY_URL', ['http:', 'https:'], 'https://gateway.example/send');
  if (smsUrl) channels.sms = new SmsGatewayChannel(smsUrl, env.SMS_GATEWAY_TOKEN || undefined);
  return channels;
}
