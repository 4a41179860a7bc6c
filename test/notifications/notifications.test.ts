import { notificationOutbox } from '../support/outbox';
import { Test, TestingModule } from '@nestjs/testing';
import { ApplicationFailure } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import * as net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { DataSource } from 'typeorm';
import { createChannels, DeliveryError, NOTIFICATION_CHANNELS, SMTP_TIMEOUTS, SmsGatewayChannel } from '../../libs/notifications/channels';
import { NotificationActivities } from '../../activities/notifications/notification.activities';
import { NotificationOutbox, NotificationRequest } from '../../libs/notifications/notification-outbox';
import { NotificationsModule } from '../../libs/notifications/notifications.module';
import {
  NOTIFICATION_TEMPLATES,
  NotificationLanguage,
  NotificationTemplate,
  renderNotification,
} from '../../libs/notifications/notification-templates';
import { ConfigError } from '../../libs/config/config';
import { ObservationPersistenceModule } from '../../libs/persistence/observation/observation-persistence.module';
import { NotificationRepository } from '../../libs/persistence/platform/notification.repository';
import { PersistenceModule } from '../../libs/persistence/persistence.module';
import { Client } from '@temporalio/client';
import { RunningWorker, startWorker } from '../../apps/worker/worker';
import { createDataSource } from '../../libs/persistence/data-source';
import { connectClient } from '../../libs/temporal/connection';
import { DevServer, freePort, startDevServer } from '../../libs/temporal/dev-server';
import { DAILY_REPORT_SCHEDULE_ID, ensureSchedules, OUTBOX_RELAY_SCHEDULE_ID, RECONCILER_SCHEDULE_ID } from '../../libs/temporal/schedules';
import { eventually } from '../support/eventually';
import { releasedWithNotice, startObservationsDueAt } from '../../bench/observation-bench';
import { MINUTE } from '../../libs/domain/local-time';
import { NOTIFICATION_SAMPLES as SAMPLES } from '../support/notification-samples';
import { startGateway } from '../support/sms-gateway';
import { testConfig } from '../support/environment';

type Params = Record<string, string | number>;

const LANGUAGES: NotificationLanguage[] = ['zh-CN', 'en'];

type SendNotificationInput = NotificationRequest & { observationNumber?: string };

/** A sender's two steps: the message stored in a transaction of its own, then its one delivery. */
async function send(db: DataSource, outbox: NotificationOutbox, input: SendNotificationInput) {
  await db.transaction((manager) => outbox.enqueue(manager, [input], input.observationNumber));
  return outbox.deliver(input.id);
}

const without = (params: Params, name: string): Params => Object.fromEntries(Object.entries(params).filter(([key]) => key !== name));

/** A real SMTP listener that keeps what it receives; mail to nobody@… is refused with 550, naming the address as Postfix does. */
async function startSmtp() {
  const received: Array<{ user?: string; from: string; to: string[]; raw: string }> = [];
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth: (auth, _session, callback) => callback(null, { user: auth.username }),
    onRcptTo: (address, _session, callback) =>
      callback(address.address.startsWith('nobody@') ? Object.assign(new Error(`<${address.address}>: Recipient address rejected: No such mailbox`), { responseCode: 550 }) : null),
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const { mailFrom, rcptTo } = session.envelope;
        received.push({ user: session.user, from: mailFrom ? mailFrom.address : '', to: rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { received, port: (server.server.address() as AddressInfo).port, stop: () => new Promise<void>((resolve) => server.close(resolve)) };
}

/** Just enough MIME to read what nodemailer wrote: encoded-word subjects, base64 or quoted-printable text. */
function decodeMail(raw: string): { subject: string; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const headers = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'im').exec(headers)?.[1] ?? '';
  const qp = (s: string) => Buffer.from(s.replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8');
  const subject = header('Subject')
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([BQ])\?([^?]*)\?=/gi, (_, kind: string, data: string) =>
      kind.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : qp(data.replace(/_/g, ' ')),
    );
  const body = raw.slice(split + 4);
  const encoding = header('Content-Transfer-Encoding').toLowerCase();
  const text = encoding === 'base64' ? Buffer.from(body, 'base64').toString('utf8') : encoding === 'quoted-printable' ? qp(body.replace(/=\r\n/g, '')) : body;
  return { subject, body: text.replace(/\r\n$/, '') };
}

describe('renderNotification', () => {
  it.each(NOTIFICATION_TEMPLATES)('renders %s in zh-CN and en, each language using every sample param', (template) => {
    for (const language of LANGUAGES) {
      const { subject, body } = renderNotification(template, language, SAMPLES[template]);
      expect(subject).not.toBe('');
      expect(`${subject}${body}`).not.toMatch(/[{}]/);
      for (const name of Object.keys(SAMPLES[template])) {
        expect(() => renderNotification(template, language, without(SAMPLES[template], name))).toThrow(`missing params: ${name}`);
      }
    }
  });

  it('fills params in, numbers included', () => {
    const { subject, body } = renderNotification('fever_alert', 'zh-CN', SAMPLES.fever_alert);
    expect(subject).toBe('发热预警：张三');
    expect(body).toContain('报告体温 38.6 °C，症状：咳嗽');
  });

  it('names an unknown template and every missing param', () => {
    expect(() => renderNotification('no_such_template' as NotificationTemplate, 'en', {})).toThrow('unknown notification template "no_such_template"');
    expect(() => renderNotification('checkin_reminder', 'en', { observationNumber: 'GC-1' })).toThrow(
      'notification template "checkin_reminder" is missing params: slotStart, slotEnd, reportLink',
    );
  });
});

describe('createChannels', () => {
  it('has only the outbox when nothing is configured', () => {
    expect(Object.keys(createChannels({}))).toEqual(['outbox']);
  });

  it('adds email and sms from the environment', () => {
    const channels = createChannels({ SMTP_URL: 'smtp://u:p@127.0.0.1:2525', SMS_GATEWAY_URL: 'https://sms.example/send' });
    expect(Object.keys(channels).sort()).toEqual(['email', 'outbox', 'sms']);
  });

  it('names the variable holding a bad URL', () => {
    expect(() => createChannels({ SMTP_URL: 'http://mail.example' })).toThrow(new ConfigError('SMTP_URL', 'must use smtp:// or smtps://, got "http:"'));
    expect(() => createChannels({ SMS_GATEWAY_URL: 'not a url' })).toThrow(ConfigError);
  });
});

describe('NotificationOutbox: a message stored, then delivered (real SMTP, HTTP gateway and PostgreSQL)', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  let moduleRef: TestingModule;
  let outbox: NotificationOutbox;
  let db: DataSource;
  let rows: NotificationRepository;
  let person: { id: string };

  beforeAll(async () => {
    smtp = await startSmtp();
    gateway = await startGateway();
    moduleRef = await Test.createTestingModule({ imports: [PersistenceModule.forRoot(process.env.DATABASE_URL!, { poolSize: 4 }), ObservationPersistenceModule, NotificationsModule] })
      .overrideProvider(NOTIFICATION_CHANNELS)
      .useValue(createChannels({ SMTP_URL: `smtp://ops:secret@127.0.0.1:${smtp.port}`, SMS_GATEWAY_URL: gateway.url, SMS_GATEWAY_TOKEN: 'gateway-token' }))
      .compile();
    outbox = moduleRef.get(NotificationOutbox);
    db = moduleRef.get(DataSource);
    rows = moduleRef.get(NotificationRepository);
    [person] = await db.query(
      `INSERT INTO person (name, document_type, document_number, mobile, subdistrict, community, building, unit) VALUES ('张三', 'passport', $1, '13800138000', '东城街道', '幸福社区', '3', '2') RETURNING id`,
      [`E${randomUUID().slice(0, 8)}`],
    );
  });

  afterAll(async () => {
    await moduleRef?.close();
    await smtp?.stop();
    await gateway?.stop();
  });

  beforeEach(() => {
    smtp.received.length = 0;
    gateway.received.length = 0;
    gateway.replies.length = 0;
    gateway.hold = Promise.resolve();
  });

  const reminder = (): SendNotificationInput => ({
    id: `wf-${randomUUID()}:reminder:0800`,
    observationNumber: 'GC-20240301-0001',
    recipient: { personId: person.id },
    template: 'checkin_reminder',
    params: SAMPLES.checkin_reminder,
  });

  it('texts a person the zh-CN message at their mobile, through the gateway with its token', async () => {
    const input = reminder();
    await expect(send(db, outbox, input)).resolves.toEqual({ id: input.id, state: 'sent', channel: 'sms' });

    const text = renderNotification('checkin_reminder', 'zh-CN', SAMPLES.checkin_reminder).body;
    expect(text).toContain('08:00–10:00');
    expect(gateway.received).toEqual([{ authorization: 'Bearer gateway-token', idempotencyKey: input.id, at: expect.any(Number), body: { to: '13800138000', text } }]);
    const row = await rows.find(input.id);
    expect(row).toMatchObject({ recipient: `person:${person.id}`, channel: 'sms', language: 'zh-CN', body: text, state: 'sent', attempts: 1, lastError: null });
    expect(row?.sentAt).toBeInstanceOf(Date);
  });

  /** A roster staff member with these contacts and no account; `supervises` makes them a post's supervisor in that subdistrict. */
  async function staffMember(name: string, contacts: { email?: string; mobile?: string }, supervises?: string): Promise<string> {
    const id = `staff-${randomUUID().slice(0, 8)}`;
    await db.query(`INSERT INTO roster_staff (id, name, role, email, mobile) VALUES ($1, $2, 'cadre', $3, $4)`, [id, name, contacts.email ?? null, contacts.mobile ?? null]);
    if (supervises) {
      await db.query(`INSERT INTO roster_post (id, kind, name, jurisdiction, subdistrict, requirements, pattern, supervisor) VALUES ($1, 'gate', $1, $2, $2, '{}', '[]', $3)`, [`post-${id}`, supervises, id]);
    }
    return id;
  }

  it('emails staff with an address the subject and body, from the default sender, with the notification id as Message-ID', async () => {
    const workflowId = `wf-${randomUUID()}`;
    const staffId = await staffMember('王医生', { email: 'doctor@clinic.example' });
    const input: SendNotificationInput = {
      id: `${workflowId}:fever:medical`,
      recipient: { staffId },
      template: 'fever_alert',
      params: SAMPLES.fever_alert,
    };
    await expect(send(db, outbox, input)).resolves.toMatchObject({ state: 'sent', channel: 'email' });

    expect(smtp.received).toHaveLength(1);
    const [mail] = smtp.received;
    expect(mail).toMatchObject({ user: 'ops', from: 'noreply@epi-ops.local', to: ['doctor@clinic.example'] });
    expect(decodeMail(mail.raw)).toEqual(renderNotification('fever_alert', 'zh-CN', SAMPLES.fever_alert));
    // The same notification sent again carries the same Message-ID, so a mail system can drop the repeat.
    expect(/^Message-ID: *(.*)$/im.exec(mail.raw.replace(/\r\n[ \t]+/g, ' '))?.[1]).toBe(`<${workflowId}%3Afever%3Amedical@epi-ops.local>`);
    await expect(rows.find(input.id)).resolves.toMatchObject({ recipient: `staff:${staffId}`, channel: 'email', state: 'sent' });
  });

  it('texts staff without an account at their own mobile; with an account, gives it the message', async () => {
    const staffId = await staffMember('李四', { mobile: '13700137000' });
    const input: SendNotificationInput = { id: `wf-${randomUUID()}:shift`, recipient: { staffId }, template: 'shift_reminder', language: 'en', params: SAMPLES.shift_reminder };
    await expect(send(db, outbox, input)).resolves.toMatchObject({ state: 'sent', channel: 'sms' });
    expect(gateway.received.map((r) => r.body)).toEqual([{ to: '13700137000', text: renderNotification('shift_reminder', 'en', SAMPLES.shift_reminder).body }]);

    const [account] = await db.query(`INSERT INTO app_user (username, display_name, password_hash, role, subdistrict) VALUES ($1, '李四', 'x', 'duty_staff', 'XYL') RETURNING id`, [`duty-${staffId}`]);
    await db.query(`UPDATE roster_staff SET account_id = $2 WHERE id = $1`, [staffId, account.id]);
    const linked = { ...input, id: `wf-${randomUUID()}:shift` };
    await db.transaction((m) => outbox.enqueue(m, [linked]));
    await expect(rows.find(linked.id)).resolves.toMatchObject({ recipient: `account:${account.id}`, channel: 'outbox', address: `account:${account.id}`, state: 'sent' });
  });

  it('gives a message for staff with neither account nor contact to their post subdistrict’s supervisors, and shows the gap until they have one', async () => {
    const subdistrict = `SD-${randomUUID().slice(0, 6)}`;
    const staffId = await staffMember('赵六', {}, subdistrict);
    const [supervisor] = await db.query(`INSERT INTO app_user (username, display_name, password_hash, role, subdistrict) VALUES ($1, '主任', 'x', 'supervisor', $2) RETURNING id`, [`sup-${subdistrict}`, subdistrict]);
    const input: SendNotificationInput = { id: `wf-${randomUUID()}:shift`, recipient: { staffId }, template: 'shift_reminder', params: SAMPLES.shift_reminder };
    await db.transaction((m) => outbox.enqueue(m, [input]));

    expect(await rows.find(input.id)).toBeUndefined();
    await expect(rows.find(`${input.id}@${supervisor.id}`)).resolves.toMatchObject({ recipient: `account:${supervisor.id}`, channel: 'outbox', state: 'sent' });
    const gaps = () => db.query(`SELECT role, subdistrict, routed_to, messages, closed_at IS NOT NULL AS closed FROM routing_gap WHERE role = $1`, [`staff:${staffId}`]);
    expect(await gaps()).toEqual([{ role: `staff:${staffId}`, subdistrict, routed_to: `supervisor of subdistrict ${subdistrict}`, messages: 1, closed: false }]);

    await db.query(`UPDATE roster_staff SET mobile = '13700137001' WHERE id = $1`, [staffId]);
    await db.transaction((m) => outbox.enqueue(m, [{ ...input, id: `wf-${randomUUID()}:shift` }]));
    expect(await gaps()).toEqual([expect.objectContaining({ closed: true })]);
  });

  it('gives an account its inbox copy and one per channel it wants, in its language; a person’s SMS is in theirs', async () => {
    const [account] = await db.query(
      `INSERT INTO app_user (username, display_name, password_hash, role, subdistrict, mobile, email, language, channels)
       VALUES ($1, 'Dr Lee', 'x', 'medical', 'XYL', '+447700900123', 'lee@clinic.example', 'en', '{sms,email}') RETURNING id`,
      [`desk-${randomUUID().slice(0, 8)}`],
    );
    const id = `wf-${randomUUID()}:fever`;
    const concerns = { kind: 'escalation' as const, id: 'GC-1/1' };
    const ids = await db.transaction((m) => outbox.enqueue(m, [{ id, recipient: { account: account.id }, template: 'fever_alert', params: SAMPLES.fever_alert, concerns }]));
    expect(ids).toEqual([`${id}:sms`, `${id}:email`]);
    for (const copy of ids) await outbox.deliver(copy);
    const english = renderNotification('fever_alert', 'en', SAMPLES.fever_alert);
    expect(gateway.received.map((r) => r.body)).toEqual([{ to: '+447700900123', text: english.body }]);
    expect(smtp.received.map((m) => m.to)).toEqual([['lee@clinic.example']]);
    const [inbox] = await db.query(`SELECT channel, state, account_id, concerns_kind, concerns_id, language, subject FROM notification WHERE id = $1`, [id]);
    expect(inbox).toEqual({ channel: 'outbox', state: 'sent', account_id: account.id, concerns_kind: 'escalation', concerns_id: 'GC-1/1', language: 'en', subject: english.subject });

    const [traveller] = await db.query(
      `INSERT INTO person (name, document_type, document_number, mobile, subdistrict, community, building, unit, language) VALUES ('John Smith', 'passport', $1, '+447700900456', 'XYL', 'C', '1', '1', 'en') RETURNING id`,
      [`E${randomUUID().slice(0, 8)}`],
    );
    await send(db, outbox, { ...reminder(), recipient: { personId: traveller.id } });
    expect(gateway.received.at(-1)?.body).toEqual({ to: '+447700900456', text: renderNotification('checkin_reminder', 'en', SAMPLES.checkin_reminder).body });
  });

  it('sends the same id once', async () => {
    const input = reminder();
    await send(db, outbox, input);
    await expect(send(db, outbox, input)).resolves.toMatchObject({ state: 'sent', channel: 'sms' });

    expect(gateway.received).toHaveLength(1);
    await expect(rows.find(input.id)).resolves.toMatchObject({ state: 'sent', attempts: 1 });
  });

  it("stores many people's messages in one go, each once, and sends each once; a send that fails stays pending for the relay", async () => {
    const others: Array<{ id: string }> = await db.query(
      `INSERT INTO person (name, document_type, document_number, mobile, subdistrict, community, building, unit)
       SELECT '李四', 'passport', $1 || n, '1380013810' || n, '东城街道', '幸福社区', '3', '2' FROM generate_series(1, 3) n RETURNING id`,
      [`E${randomUUID().slice(0, 8)}`],
    );
    const inputs = [person, ...others].map(({ id }) => ({ ...reminder(), recipient: { personId: id } }));
    const nobody = { ...reminder(), recipient: { personId: randomUUID() } };
    const batches = [...inputs, nobody].map(({ observationNumber, ...request }) => ({ observationNumber, requests: [request] }));
    const pending = inputs.map((i) => i.id).sort();

    await expect(db.transaction((m) => outbox.enqueueAll(m, batches)).then((ids) => ids.sort())).resolves.toEqual(pending);
    // Stored again (a retried pass): nothing twice, the same messages still to send.
    await expect(db.transaction((m) => outbox.enqueueAll(m, batches)).then((ids) => ids.sort())).resolves.toEqual(pending);
    await expect(rows.find(nobody.id)).resolves.toMatchObject({ state: 'failed', lastError: `person ${nobody.recipient.personId} not found` });

    gateway.repliesFor.set(inputs[1].id, [[500, 'upstream busy']]);
    // Listed twice, one that is sent and the one that fails (pending again at once): each tried once.
    await outbox.deliverAll([...pending, inputs[2].id, inputs[1].id, nobody.id], 2);
    expect(gateway.received.map((r) => r.idempotencyKey).sort()).toEqual(pending);
    expect(gateway.received.map((r) => r.body.to).sort()).toEqual(['13800138000', '13800138101', '13800138102', '13800138103']);
    await expect(rows.find(inputs[1].id)).resolves.toMatchObject({ state: 'pending', attempts: 1, lastError: 'SMS gateway answered 500: upstream busy' });
    for (const { id } of [inputs[0], ...inputs.slice(2)]) await expect(rows.find(id)).resolves.toMatchObject({ state: 'sent', attempts: 1 });

    // Again: only the one still pending is sent.
    await outbox.deliverAll(pending, 2);
    expect(gateway.received.map((r) => r.idempotencyKey)).toEqual([...gateway.received.slice(0, 4).map((r) => r.idempotencyKey), inputs[1].id]);
    await expect(rows.find(inputs[1].id)).resolves.toMatchObject({ state: 'sent', attempts: 2, lastError: null });
  });

  it("leases a set's messages as its sends need them, so none waits out its lease behind slow sends", async () => {
    const inputs = [reminder(), reminder(), reminder()];
    const ids = await db.transaction((m) => outbox.enqueueAll(m, inputs.map(({ observationNumber, ...request }) => ({ observationNumber, requests: [request] }))));
    let answer!: () => void;
    gateway.hold = new Promise((resolve) => (answer = resolve));
    const sending = outbox.deliverAll(ids, 1);
    await eventually(async () => gateway.received.length, (n) => n === 1, { what: 'the first send reaches the gateway' });
    const held: Array<{ id: string }> = await db.query(`SELECT id FROM notification WHERE id = ANY($1) AND delivering_until IS NOT NULL`, [ids]);
    expect(held.map((r) => r.id)).toEqual([gateway.received[0].idempotencyKey]);
    answer();
    await sending;
    expect(gateway.received.map((r) => r.idempotencyKey)).toEqual(ids);
  });

  it('leaves the row pending and rethrows a retryable error when the gateway answers 500, then sends on retry', async () => {
    const input = reminder();
    gateway.replies.push([500, 'upstream busy']);
    const error = await send(db, outbox, input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).not.toBeInstanceOf(ApplicationFailure);
    expect((error as Error).message).toBe('SMS gateway answered 500: upstream busy');
    await expect(rows.find(input.id)).resolves.toMatchObject({ state: 'pending', attempts: 1, lastError: 'SMS gateway answered 500: upstream busy' });

    await expect(send(db, outbox, input)).resolves.toMatchObject({ state: 'sent' });
    expect(gateway.received).toHaveLength(2);
    await expect(rows.find(input.id)).resolves.toMatchObject({ state: 'sent', attempts: 2 });
  });

  it('fails the row with a non-retryable error when the gateway answers 400', async () => {
    const input = reminder();
    gateway.replies.push([400, '{"error":"invalid number"}']);
    const error = await send(db, outbox, input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect(error).toMatchObject({ nonRetryable: true, type: 'NotificationRejected', message: 'SMS gateway answered 400: {"error":"invalid number"}' });
    await expect(rows.find(input.id)).resolves.toMatchObject({ state: 'failed', attempts: 1, lastError: 'SMS gateway answered 400: {"error":"invalid number"}' });
  });

  it('masks a number the gateway repeats in its reply', async () => {
    gateway.replies.push([400, '{"error":"13800138000 is not a subscriber"}']);
    const error = await new SmsGatewayChannel(gateway.url).deliver({ id: 'masked', to: '13800138000', subject: '', body: 'x' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ permanent: true, message: 'SMS gateway answered 400: {"error":"<mobile> is not a subscriber"}' });
  });

  it.each([408, 429])('treats a gateway %i as retryable', async (status) => {
    gateway.replies.push([status, 'later']);
    await expect(new SmsGatewayChannel(gateway.url).deliver({ id: 'retry-later', to: '13800138000', subject: '', body: 'x' })).rejects.toMatchObject({ permanent: false });
    expect(gateway.received[0].authorization).toBeUndefined();
  });

  it('fails the row with a non-retryable error when the SMTP server refuses the recipient', async () => {
    const input: SendNotificationInput = { id: `wf-${randomUUID()}:x`, recipient: { staffId: await staffMember('无此人', { email: 'nobody@clinic.example' }) }, template: 'shift_no_show', params: SAMPLES.shift_no_show };
    const error = await send(db, outbox, input).catch((e: unknown) => e);
    expect(error).toMatchObject({ nonRetryable: true, type: 'NotificationRejected' });
    expect((error as Error).message).toContain('550');
    // The reply's address is masked: the message is stored, logged and kept in Temporal.
    expect((error as Error).message).toContain('<email>');
    expect((error as Error).message).not.toContain('nobody@clinic.example');
    const row = await rows.find(input.id);
    expect(row).toMatchObject({ state: 'failed', attempts: 1 });
    expect(row?.lastError).not.toContain('nobody@clinic.example');
  });

  it('fails the row with a non-retryable error for a person who does not exist', async () => {
    const missing = randomUUID();
    const input = { ...reminder(), recipient: { personId: missing } };
    const error = await send(db, outbox, input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect(error).toMatchObject({ nonRetryable: true, type: 'NotificationInvalid', message: `notification ${input.id}: person ${missing} not found` });
    expect(gateway.received).toHaveLength(0);
    await expect(rows.find(input.id)).resolves.toMatchObject({ state: 'failed', lastError: `person ${missing} not found` });
  });

  it('rejects bad params non-retryably, keeping the failed message and its reason', async () => {
    const input = { ...reminder(), observationNumber: undefined, params: { observationNumber: 'GC-1' } };
    await expect(send(db, outbox, input)).rejects.toMatchObject({ nonRetryable: true, type: 'NotificationInvalid' });
    const row = await rows.find(input.id);
    expect(row?.state).toBe('failed');
    expect(row?.lastError).toMatch(/missing params/);
  });

  it('sends a message once when two deliverers try it at the same time: the second waits for the first', async () => {
    const input = reminder();
    await db.transaction((manager) => outbox.enqueue(manager, [input], input.observationNumber));
    let answer!: () => void;
    gateway.hold = new Promise((resolve) => (answer = resolve));
    const first = outbox.deliver(input.id);
    await eventually(async () => gateway.received.length, (n) => n === 1, { what: 'the first send reaches the gateway' });
    const second = await outbox.deliver(input.id).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(DeliveryError);
    expect(second).toMatchObject({ permanent: false, message: `notification ${input.id} is being sent by another attempt` });
    answer();
    await expect(first).resolves.toMatchObject({ state: 'sent' });
    await expect(outbox.deliver(input.id)).resolves.toMatchObject({ state: 'sent' });
    expect(gateway.received).toHaveLength(1);
  });

  it('gives up on an SMTP server that never greets within its timeout, well before the delivery activity’s minute', async () => {
    const silent = net.createServer(() => undefined); // accepts, never says a word
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const channel = createChannels({ SMTP_URL: `smtp://127.0.0.1:${(silent.address() as AddressInfo).port}` }).email!;
    const started = Date.now();
    const error = await channel.deliver({ id: 'slow', to: 'doctor@clinic.example', subject: 's', body: 'b' }).catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    silent.close();
    expect(error).toMatchObject({ permanent: false, message: expect.stringMatching(/^SMTP: .*(Greeting never received|timeout)/i) });
    expect(SMTP_TIMEOUTS.greetingTimeout + SMTP_TIMEOUTS.connectionTimeout + SMTP_TIMEOUTS.socketTimeout).toBeLessThan(60_000);
    expect(elapsed).toBeGreaterThanOrEqual(SMTP_TIMEOUTS.greetingTimeout - 100);
    expect(elapsed).toBeLessThan(60_000);
  });

  describe('where only the outbox is configured', () => {
    let outboxOnly: NotificationOutbox;
    beforeAll(() => {
      outboxOnly = notificationOutbox(db, createChannels({}), rows);
    });

    it('keeps a message for a person in the outbox', async () => {
      const input = reminder();
      await expect(send(db, outboxOnly, input)).resolves.toMatchObject({ state: 'sent', channel: 'outbox' });
      expect(gateway.received).toHaveLength(0);
    });

    it('refuses, non-retryably, a channel asked for but not configured', async () => {
      const input: SendNotificationInput = { ...reminder(), channel: 'sms' };
      await expect(send(db, outboxOnly, input)).rejects.toMatchObject({ nonRetryable: true, type: 'NotificationInvalid', message: expect.stringContaining('SMS_GATEWAY_URL is not set') });
    });
  });
});

describe('the outbox relay, on its schedule (a dev server of its own, worker, HTTP gateway)', () => {
  // The reconciler's schedule is made too, paused: it must not run against the shared test database.
  let config = testConfig();
  // Its own dev server: late in a full run the shared one carries every earlier suite's workflows and
  // timers, and there the relay once did not act within a minute (alone, it acts within seconds).
  let temporal: DevServer;
  const schedules = { reconcileSeconds: 0, outboxRelaySeconds: 1, dailyReportAt: null };
  const smsEnv = { SMS_GATEWAY_URL: '', SMS_GATEWAY_TOKEN: 'relay-token' };
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  let worker: RunningWorker;
  let client: Client;
  let db: DataSource;
  let outbox: NotificationOutbox;
  let sender: NotificationActivities;
  let personId: string;

  beforeAll(async () => {
    temporal = await startDevServer({ cli: process.env.TEMPORAL_CLI!, port: await freePort() });
    config = { ...config, temporal: { ...config.temporal, address: temporal.address } };
    gateway = await startGateway();
    smsEnv.SMS_GATEWAY_URL = gateway.url;
    Object.assign(process.env, smsEnv); // the worker's channels come from its environment, as in a deployment
    worker = await startWorker(config);
    client = await connectClient(config.temporal);
    db = await createDataSource(config.databaseUrl!, { poolSize: 2 }).initialize();
    // The relay takes every pending message of the shared test database, oldest first: what earlier
    // suites left pending for their own, long-gone gateways would be tried ahead of this suite's.
    await db.query(`UPDATE notification SET state = 'failed', last_error = 'left pending by an earlier test suite' WHERE state = 'pending'`);
    const channels = createChannels(smsEnv);
    outbox = notificationOutbox(db, channels);
    sender = new NotificationActivities(outbox);
    [{ id: personId }] = await db.query(
      `INSERT INTO person (name, document_type, document_number, mobile, subdistrict, community, building, unit) VALUES ('王五', 'passport', $1, '13900139000', 'XYL', '学院路社区', '1', '1') RETURNING id`,
      [`R${randomUUID().slice(0, 8)}`],
    );
  });

  afterAll(async () => {
    for (const id of [RECONCILER_SCHEDULE_ID, OUTBOX_RELAY_SCHEDULE_ID]) await client?.schedule.getHandle(id).delete().catch(() => undefined);
    await worker?.shutdown();
    await client?.connection.close();
    await db?.destroy();
    await gateway?.stop();
    await temporal?.stop();
    for (const name of Object.keys(smsEnv)) delete process.env[name];
  });

  /** A notice stored by the API in the transaction that decided it (as `transactionNotifying` does). */
  async function storeNotice(): Promise<string> {
    const id = `relay-test:${randomUUID()}`;
    await db.transaction((manager) => outbox.enqueue(manager, [{ id, recipient: { personId }, template: 'mode_switch', params: SAMPLES.mode_switch }]));
    return id;
  }
  const row = async (id: string) => (await db.query(`SELECT state, attempts, last_error FROM notification WHERE id = $1`, [id]))[0];
  const sentTo = (id: string) => gateway.received.filter((r) => r.idempotencyKey === id);

  it('is created by ensureSchedules, once, at the period configured (0: paused)', async () => {
    await ensureSchedules(client, { ...config, schedules: { reconcileSeconds: 0, outboxRelaySeconds: 0, dailyReportAt: null } });
    expect((await client.schedule.getHandle(OUTBOX_RELAY_SCHEDULE_ID).describe()).state.paused).toBe(true);
    expect(await ensureSchedules(client, { ...config, schedules })).toEqual([RECONCILER_SCHEDULE_ID, OUTBOX_RELAY_SCHEDULE_ID, DAILY_REPORT_SCHEDULE_ID]);
    const relay = await client.schedule.getHandle(OUTBOX_RELAY_SCHEDULE_ID).describe();
    expect(relay.spec.intervals).toMatchObject([{ every: 1000 }]);
    expect(relay.action).toMatchObject({ type: 'startWorkflow', workflowType: 'outboxRelayWorkflow', taskQueue: config.temporal.taskQueue });
    expect(relay.policies.overlap).toBe('SKIP');
    expect(relay.state).toMatchObject({ paused: false, note: 'every 1 s (EPI_OUTBOX_RELAY_SECONDS)' });
    const reconciler = await client.schedule.getHandle(RECONCILER_SCHEDULE_ID).describe();
    expect(reconciler.action).toMatchObject({ workflowType: 'reconcilerWorkflow', taskQueue: config.temporal.taskQueue });
    expect(reconciler.state).toMatchObject({ paused: true, note: 'paused: EPI_RECONCILE_SECONDS=0' });
  });

  it('retries a notice whose one try failed, after its backoff, and delivers it once with its id as Idempotency-Key', async () => {
    const id = await storeNotice();
    gateway.repliesFor.set(id, [[503, 'gateway busy']]);
    await expect(sender.deliverNotification({ id })).rejects.toThrow('SMS gateway answered 503: gateway busy');
    expect(await row(id)).toMatchObject({ state: 'pending', attempts: 1 });

    await eventually(() => row(id), (r) => r.state === 'sent', { what: 'the relay delivers the notice', timeoutMs: 60_000, intervalMs: 500 });
    const relayRunsThen = (await client.schedule.getHandle(OUTBOX_RELAY_SCHEDULE_ID).describe()).info.numActionsTaken;
    await eventually(async () => (await client.schedule.getHandle(OUTBOX_RELAY_SCHEDULE_ID).describe()).info.numActionsTaken, (n) => n >= relayRunsThen + 3, { what: 'three more relay passes', timeoutMs: 30_000 });

    const sends = sentTo(id);
    expect(sends.map((s) => s.idempotencyKey)).toEqual([id, id]); // refused once, then accepted: delivered once
    expect(sends[1].at - sends[0].at).toBeGreaterThanOrEqual(5_000); // the first backoff
    expect(sends[1].authorization).toBe('Bearer relay-token');
    expect(await row(id)).toMatchObject({ state: 'sent', attempts: 2, last_error: null });
  });

  it('gives a notice up, with the reason, once it has been pending for a day', async () => {
    const id = await storeNotice();
    await db.query(`UPDATE notification SET created_at = now() - interval '25 hours' WHERE id = $1`, [id]);
    gateway.repliesFor.set(id, [[503, 'gateway down']]);
    const failed = await eventually(() => row(id), (r) => r.state !== 'pending', { what: 'the relay gives the notice up', timeoutMs: 60_000, intervalMs: 500 });
    expect(failed).toMatchObject({ state: 'failed', attempts: 1, last_error: 'gave up after 24 h, at attempt 1: SMS gateway answered 503: gateway down' });
    expect(sentTo(id)).toHaveLength(1);
    await expect(sender.deliverNotification({ id })).rejects.toMatchObject({ nonRetryable: true, type: 'NotificationFailed' });
  });

  it("texts a release's notice from the write that records the release, with no delivery activity; one the gateway refuses or keeps waiting there goes to a delivery activity", async () => {
    const prefix = `SENT-${randomUUID().slice(0, 6)}`;
    // Released at a whole minute (the one-day policy's midnight is set by a whole-minute UTC offset).
    const dueAt = Math.ceil((Date.now() + 10_000) / MINUTE) * MINUTE;
    const numbers = await startObservationsDueAt(db, client, config, { size: 4, dueAt, prefix, concurrency: 4 });
    const [refused, held] = numbers.slice(2).map((n) => `${n}:release`);
    gateway.repliesFor.set(refused, [[503, 'gateway busy']]);
    gateway.holdFor.set(held, sleep(dueAt + 8_000 - Date.now()));
    await eventually(() => releasedWithNotice(db, prefix), (n) => n === numbers.length, { what: 'all released', timeoutMs: 120_000, intervalMs: 500 });
    await eventually(() => Promise.all(numbers.map((n) => row(`${n}:release`))), (rows) => rows.every((r) => r.state === 'sent'), { what: 'every notice sent', timeoutMs: 60_000, intervalMs: 500 });

    const deliveries = async (number: string) => {
      const { events } = await client.workflow.getHandle(`observation-${number}`).fetchHistory();
      return events!.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'deliverNotification').length;
    };
    for (const number of numbers.slice(0, 2)) {
      expect(sentTo(`${number}:release`)).toHaveLength(1);
      expect(await deliveries(number)).toBe(0);
    }
    // Refused once by the write's try, then sent by the delivery activity's retry (or the relay): accepted once.
    expect(sentTo(refused)).toHaveLength(2);
    expect(await deliveries(numbers[2])).toBe(1);
    // Kept waiting past the write's two seconds: left to a delivery activity, and sent once (the write's send, when the gateway answered).
    expect(sentTo(held)).toHaveLength(1);
    expect(await deliveries(numbers[3])).toBe(1);
  });
});
