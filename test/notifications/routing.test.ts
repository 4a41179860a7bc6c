/**
 * Who gets which message (README "Who gets which message"), end to end against the dev server, a
 * real worker, PostgreSQL and an SMS gateway in this process: a fever report reaches the medical
 * desk's and the supervisor's inboxes and phones in each one's language; an escalation nobody can
 * own goes one level up and shows as a routing gap on the dashboard until someone holds the role;
 * and a walk over every template and every recipient kind finds no message addressed to anything
 * but an account's, a person's or a staff member's own contact.
 */
import { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { UsersService } from '../../libs/auth/users.service';
import type { Role } from '../../libs/auth/roles';
import type { ContactChannel, Language } from '../../libs/domain/contact';
import { localDate } from '../../libs/domain/local-time';
import { createChannels } from '../../libs/notifications/channels';
import { NotificationRequest } from '../../libs/notifications/notification-outbox';
import { NOTIFICATION_TEMPLATES, renderNotification } from '../../libs/notifications/notification-templates';
import type { NotificationRecipient, RecipientRole } from '../../libs/notifications/recipients';
import { Http, supervisorHttp } from '../support/auth';
import { testConfig } from '../support/environment';
import { eventually } from '../support/eventually';
import { NOTIFICATION_SAMPLES } from '../support/notification-samples';
import { allDayPolicy, enrolmentRequest, moveToPolicy } from '../support/observation-fixtures';
import { notificationOutbox } from '../support/outbox';
import { gatewayInEnvironment } from '../support/sms-gateway';
import { systemPerFile } from '../support/system';

jest.setTimeout(180_000);

/** A subdistrict code of its own (2-8 capitals or digits), so the shared database's other accounts never hold roles there. */
const freshSubdistrict = () => `R${randomUUID().replace(/-/g, '').slice(0, 6).toUpperCase()}`;
let mobiles = 0;
const freshMobile = () => `137${String(Date.now() % 1e6).padStart(6, '0')}${String(++mobiles).padStart(2, '0')}`;

describe('routing: every message to accounts resolved from the record (dev server, worker, PostgreSQL, SMS gateway)', () => {
  const config = testConfig();
  // Read when used: a run can cross the local midnight.
  const today = () => localDate(Date.now(), 480);
  let api: INestApplication;
  let db: DataSource;
  let http: Http;
  let policyId: string;
  let gateway: Awaited<ReturnType<typeof gatewayInEnvironment>>;

  beforeAll(async () => {
    // Accounts that want SMS get it: the worker and the API take the gateway from the environment.
    gateway = await gatewayInEnvironment();
  });

  systemPerFile(async (system) => {
    ({ api, db } = system);
    http = await supervisorHttp(api);
    policyId = await allDayPolicy(http, db, 'D');
  }, { config });

  afterAll(async () => {
    await gateway?.stop();
  });

  /** An account created as an administrator would; its id. */
  async function account(role: Role, place: { subdistrict?: string | null; community?: string | null; destinationId?: string }, contact: { mobile?: string; email?: string; language?: Language; channels?: ContactChannel[] } = {}) {
    const username = `${role}-${randomUUID().slice(0, 8)}`;
    const created = await api.get(UsersService).create({ username, displayName: username, password: `pw-${randomUUID()}`, role, subdistrict: place.subdistrict ?? null, community: place.community ?? null, destinationId: place.destinationId ?? null, ...contact });
    return created.id;
  }

  /** Someone under observation there on the all-day policy (every door opening is outside the allowed times). */
  async function enrol(subdistrict: string, community: string, overrides: Record<string, unknown> = {}): Promise<string> {
    const enrolled = await http
      .post('/persons')
      .send({ ...enrolmentRequest({ category: 'D', anchorDate: today() }), address: { subdistrict, community, building: '1', unit: '1' }, ...overrides })
      .expect(201);
    await moveToPolicy(http, db, enrolled.body.observationNumber, policyId);
    return enrolled.body.observationNumber;
  }

  it('takes a fever report to the medical desk’s and the supervisor’s inbox and phone within a minute, each in their own language', async () => {
    const subdistrict = freshSubdistrict();
    const [deskMobile, supervisorMobile] = [freshMobile(), freshMobile()];
    const desk = await account('medical', { subdistrict }, { mobile: deskMobile, language: 'zh-CN', channels: ['sms'] });
    const supervisor = await account('supervisor', { subdistrict }, { mobile: supervisorMobile, language: 'en', channels: ['sms'] });
    const number = await enrol(subdistrict, 'C1');

    const reportedAt = Date.now();
    await http.post(`/observations/${number}/reports`).send({ temperature: 38.6, symptoms: ['cough'], source: 'worker', requestId: `fever-${number}` }).expect(201);

    const texts = await eventually(
      async () => gateway.received.filter((r) => r.body.to === deskMobile || r.body.to === supervisorMobile),
      (received) => received.length === 2,
      { what: 'the fever alert at both phones', timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(Math.max(...texts.map((t) => t.at)) - reportedAt).toBeLessThan(60_000);
    const inbox = await db.query(
      `SELECT account_id, language, subject, concerns_kind FROM notification WHERE observation_number = $1 AND template = 'fever_alert' AND channel = 'outbox' ORDER BY language`,
      [number],
    );
    const [en, zh] = await db.query(`SELECT address, body FROM notification WHERE observation_number = $1 AND template = 'fever_alert' AND channel = 'sms' ORDER BY language`, [number]);
    expect(inbox).toEqual([
      { account_id: supervisor, language: 'en', subject: expect.stringMatching(/^Fever alert: /), concerns_kind: 'escalation' },
      { account_id: desk, language: 'zh-CN', subject: expect.stringMatching(/^发热预警：/), concerns_kind: 'escalation' },
    ]);
    expect(texts.map((t) => t.body).sort((a, b) => a.to.localeCompare(b.to))).toEqual([{ to: en.address, text: en.body }, { to: zh.address, text: zh.body }].sort((a, b) => a.to.localeCompare(b.to)));
    expect(en.address).toBe(supervisorMobile);
    expect(en.body).toContain('38.6 °C');
    expect(zh.body).toContain('请立即处置');
    // The desk owns the escalation; the supervisor sees it too.
    expect(await db.query(`SELECT owner_account FROM escalation WHERE observation_number = $1 AND kind = 'fever'`, [number])).toEqual([{ owner_account: desk }]);
  });

  it('takes an escalation nobody can own one level up and shows the gap on the dashboard; an account holding the role closes it on the next message', async () => {
    const subdistrict = freshSubdistrict();
    const community = `C-${subdistrict}`;
    const supervisor = await account('supervisor', { subdistrict });
    const doorSensorId = `DS-${randomUUID().slice(0, 8)}`;
    const number = await enrol(subdistrict, community, { devices: { doorSensorId }, responsibleWorker: 'nobody-by-this-name' });
    const doorOpened = (eventId: string) => http.post('/device-events').send({ deviceId: doorSensorId, kind: 'door_opened', eventId }).expect(202);
    const messagesOf = (eventId: string) =>
      eventually(() => db.query(`SELECT account_id FROM notification WHERE id LIKE $1 AND channel = 'outbox'`, [`${number}:door:${eventId}%`]), (rows) => rows.length > 0, {
        what: `the message of door event ${eventId}`,
        timeoutMs: 60_000,
      });
    const gapsHere = async () => {
      const summary = await http.get('/dashboard/summary').expect(200);
      return summary.body.routingGaps.filter((g: { subdistrict: string }) => g.subdistrict === subdistrict);
    };

    await doorOpened('first');
    expect(await messagesOf('first')).toEqual([{ account_id: supervisor }]);
    expect(await db.query(`SELECT owner_account FROM escalation WHERE observation_number = $1 AND kind = 'non_cooperation'`, [number])).toEqual([{ owner_account: supervisor }]);
    expect(await gapsHere()).toEqual([
      { role: 'community_worker', subdistrict, community, destinationId: null, routedTo: `supervisor of subdistrict ${subdistrict}`, since: expect.any(String), lastAt: expect.any(String), messages: 1 },
    ]);

    const worker = await account('community_worker', { subdistrict, community });
    await doorOpened('second');
    expect(await messagesOf('second')).toEqual([{ account_id: worker }]);
    expect(await gapsHere()).toEqual([]);
  });

  it('takes a person’s language at enrolment: en by default for a passport, as given otherwise; anything else is a 422 naming the field', async () => {
    const subdistrict = freshSubdistrict();
    const passport = { ...enrolmentRequest({ category: 'C', anchorDate: today() }), documentType: 'passport', documentNumber: `E${randomUUID().replace(/-/g, '').slice(0, 9).toUpperCase()}`, address: { subdistrict, community: 'C1', building: '1', unit: '1' } };
    const { personId } = (await http.post('/persons').send({ ...passport, language: undefined }).expect(201)).body;
    const given = (await http.post('/persons').send({ ...enrolmentRequest({ category: 'D', anchorDate: today() }), address: passport.address, language: 'en' }).expect(201)).body.personId;
    const languageOf = async (id: string) => (await db.query(`SELECT language FROM person WHERE id = $1`, [id]))[0].language;
    expect([await languageOf(personId), await languageOf(given)]).toEqual(['en', 'en']);
    const refused = await http.post('/persons').send({ ...enrolmentRequest({ category: 'D', anchorDate: today() }), address: passport.address, language: 'fr' }).expect(422);
    expect(refused.body.errors).toEqual([{ field: 'language', reason: 'must be zh-CN or en' }]);
  });

  it('addresses every template, to every kind of recipient, only to an account, a person or a staff member’s own contact, or stores it failed with the reason', async () => {
    const outbox = notificationOutbox(db, createChannels({ SMS_GATEWAY_URL: gateway.url, SMTP_URL: 'smtp://127.0.0.1:25' }));
    const subdistrict = freshSubdistrict();
    const community = `C-${subdistrict}`;
    const destination = `D-${subdistrict}`;
    await db.query(`INSERT INTO transfer_destination (id, kind, name, travel_minutes, receiver, subdistrict, community) VALUES ($1, 'community', $1, 20, 'front desk', $2, $3)`, [destination, subdistrict, community]);
    const emptyDestination = `DE-${subdistrict}`;
    await db.query(`INSERT INTO transfer_destination (id, kind, name, travel_minutes, receiver, subdistrict) VALUES ($1, 'hotel', $1, 20, 'front desk', $2)`, [emptyDestination, subdistrict]);
    const holder = await account('supervisor', { subdistrict }, { mobile: freshMobile(), email: `sup-${subdistrict}@ops.example`, language: 'en', channels: ['sms', 'email'] });
    await account('medical', { subdistrict }, { mobile: freshMobile(), channels: ['sms'] });
    await account('receiver', { destinationId: destination });
    await account('community_worker', { subdistrict, community });
    // Someone at the top, so every role resolves to someone (one level up at worst).
    await account('admin', {});
    const [person] = await db.query(
      `INSERT INTO person (name, document_type, document_number, mobile, subdistrict, community, building, unit) VALUES ('王五', 'resident_id', $1, $2, $3, $4, '1', '1') RETURNING id`,
      [`W${randomUUID().slice(0, 12)}`, freshMobile(), subdistrict, community],
    );
    const staff = async (id: string, contact: { mobile?: string; email?: string; account?: string }) => {
      await db.query(`INSERT INTO roster_staff (id, name, role, mobile, email, account_id) VALUES ($1, $1, 'cadre', $2, $3, $4)`, [id, contact.mobile ?? null, contact.email ?? null, contact.account ?? null]);
      return id;
    };
    const tag = subdistrict.toLowerCase();
    const roles: RecipientRole[] = ['community_worker', 'supervisor', 'medical', 'receiver', 'dispatcher', 'admin'];
    const recipients: NotificationRecipient[] = [
      { personId: person.id },
      { account: holder },
      ...roles.map((role) => (role === 'receiver' ? { role, destinationId: destination } : role === 'community_worker' ? { role, subdistrict, community } : { role, subdistrict })),
      { role: 'receiver', destinationId: emptyDestination },
      { role: 'community_worker', subdistrict, community: `nobody-${tag}`, preferred: 'nobody' },
      { role: 'supervisor', subdistrict: `NONE${tag}` },
      { staffId: await staff(`linked-${tag}`, { account: holder }) },
      { staffId: await staff(`mobile-${tag}`, { mobile: freshMobile() }) },
      { staffId: await staff(`email-${tag}`, { email: `staff-${tag}@ops.example` }) },
      { staffId: await staff(`none-${tag}`, {}) },
      { staffId: `unknown-${tag}` },
      { mobile: freshMobile() },
      { mobile: 'not a number' },
    ];
    const requests: NotificationRequest[] = NOTIFICATION_TEMPLATES.flatMap((template) =>
      recipients.map((recipient, i) => ({ id: `walk-${tag}:${template}:${i}`, recipient, template, params: NOTIFICATION_SAMPLES[template] })),
    );
    await db.transaction((manager) => outbox.enqueue(manager, requests));

    const rows: Array<{ id: string; recipient: string; address: string | null; state: string; last_error: string | null; template: string; body: string; language: Language }> = await db.query(
      `SELECT id, recipient, address, state, last_error, template, body, language FROM notification WHERE id LIKE $1`,
      [`walk-${tag}:%`],
    );
    // Every template reached every recipient kind: at least one row per request.
    expect(new Set(rows.map((r) => r.id.replace(/@.*$|:(sms|email)$/, ''))).size).toBe(requests.length);
    const own = new Map<string, Set<string>>();
    const add = (recipient: string, ...addresses: Array<string | null>) => own.set(recipient, new Set(addresses.filter((a): a is string => !!a)));
    for (const a of await db.query(`SELECT id, mobile, email FROM app_user`)) add(`account:${a.id}`, `account:${a.id}`, a.mobile, a.email);
    add(`person:${person.id}`, (await db.query(`SELECT mobile FROM person WHERE id = $1`, [person.id]))[0].mobile);
    for (const s of await db.query(`SELECT id, mobile, email FROM roster_staff WHERE id LIKE $1`, [`%-${tag}`])) add(`staff:${s.id}`, s.mobile, s.email);
    for (const m of recipients.filter((r): r is { mobile: string } => 'mobile' in r)) add(`mobile:${m.mobile}`, m.mobile);

    for (const row of rows) {
      if (row.state === 'failed') {
        // Never sent anywhere, and says why.
        expect({ id: row.id, address: row.address, reason: row.last_error }).toEqual({ id: row.id, address: null, reason: expect.any(String) });
        continue;
      }
      expect({ id: row.id, address: row.address, own: own.get(row.recipient)?.has(row.address!) ?? false }).toEqual({ id: row.id, address: row.address, own: true });
      expect(row.body).toBe(renderNotification(row.template as never, row.language, NOTIFICATION_SAMPLES[row.template as keyof typeof NOTIFICATION_SAMPLES]).body);
    }
    // Nobody at all up to the admins never happens here, so the only failures are the unknown staff and the bad number.
    const failed = [...new Set(rows.filter((r) => r.state === 'failed').map((r) => r.last_error))].sort();
    expect(failed).toEqual([`staff unknown-${tag} not found`, 'must be a mainland mobile number (11 digits starting 1) or +country number'].sort());
    // The role that nobody holds there went one level up and left a gap each.
    const gaps = await db.query(`SELECT role, community, destination_id AS "destinationId", routed_to AS "routedTo" FROM routing_gap WHERE closed_at IS NULL AND (subdistrict = $1 OR destination_id = $2 OR role = $3 OR subdistrict = $4) ORDER BY role, community`, [
      subdistrict,
      emptyDestination,
      `staff:none-${tag}`,
      `NONE${tag}`,
    ]);
    expect(gaps).toEqual(
      expect.arrayContaining([
        { role: 'community_worker', community: `nobody-${tag}`, destinationId: null, routedTo: `supervisor of subdistrict ${subdistrict}` },
        { role: 'dispatcher', community: null, destinationId: null, routedTo: `supervisor of subdistrict ${subdistrict}` },
        { role: 'receiver', community: null, destinationId: emptyDestination, routedTo: `supervisor of subdistrict ${subdistrict}` },
        { role: 'supervisor', community: null, destinationId: null, routedTo: 'supervisor of the district' },
      ]),
    );
  });
});
