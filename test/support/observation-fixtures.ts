import { notificationOutbox } from './outbox';
import { Client } from '@temporalio/client';
import { randomInt } from 'node:crypto';
import { DataSource } from 'typeorm';
import { EnrolmentService } from '../../libs/observation/enrolment.service';
import { ObservationPolicyService } from '../../libs/observation/observation-policy.service';
import { ObservationPolicyRepository } from '../../libs/persistence/observation/observation-policy.repository';
import { ObservationRepository } from '../../libs/persistence/observation/observation.repository';
import { PersonRepository } from '../../libs/persistence/observation/person.repository';
import { AppConfig } from '../../libs/config/config';
import { createChannels } from '../../libs/notifications/channels';
import { ReportLinks } from '../../libs/observation/report-links';
import { ReportLinkRepository } from '../../libs/persistence/observation/report-link.repository';
import { EnrolmentRequest } from '../../libs/domain/person/enrolment';
import { residentIdCheckCharacter } from '../../libs/domain/person/resident-id';
import type { Http } from './auth';
import { eventually } from './eventually';
import { ALL_DAY_RULES } from '../../workflows/observation/observation-policy';
import type { ObservationInput, TemperatureReport } from '../../workflows/observation/observation.messages';
import { openSlotAt, periodOf } from '../../workflows/observation/observation-schedule';
import { reportEntry } from '../../workflows/observation/tracking-entry';

/** A valid resident ID, random enough that test files sharing one database never collide. */
export function freshResidentId(): string {
  const birth = new Date(Date.UTC(1950, 0, 1) + randomInt(0, 20_000) * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
  // A district of Beijing (1101xx) drawn too: with one region, any two of a run's thousands of people
  // shared a number 1 in 20 million times, and a 245-person manifest could hold a number twice.
  const id17 = `1101${randomInt(1, 100).toString().padStart(2, '0')}${birth}${String(randomInt(0, 1000)).padStart(3, '0')}`;
  return id17 + residentIdCheckCharacter(id17);
}

export function enrolmentRequest(overrides: Partial<EnrolmentRequest> = {}): EnrolmentRequest {
  return {
    name: '张伟',
    documentType: 'resident_id',
    documentNumber: freshResidentId(),
    mobile: '13800138000',
    language: 'zh-CN',
    address: { subdistrict: 'XYL', community: 'XueyuanRoad-1', building: '3', unit: '2' },
    category: 'C',
    anchorDate: new Date().toISOString().slice(0, 10),
    responsibleWorker: 'worker-li',
    ...overrides,
  };
}

/** The enrolment service on real PostgreSQL and a real Temporal client (time-skipping or dev server). */
export function enrolmentService(dataSource: DataSource, client: Client, config: AppConfig): EnrolmentService {
  const people = new PersonRepository(dataSource);
  const outbox = notificationOutbox(dataSource, createChannels(process.env));
  const reportLinks = new ReportLinks(new ReportLinkRepository(dataSource), outbox, dataSource, config);
  return new EnrolmentService(new ObservationRepository(dataSource), people, client, config, new ObservationPolicyService(new ObservationPolicyRepository(dataSource)), reportLinks);
}

/** An instant as the API answers it: ISO 8601 in UTC, to the millisecond. */
export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * A policy of `category` whose one slot spans the day, so a report is taken whenever a test runs; its
 * id. It takes effect after every policy of the category stored before (test files share a database)
 * and years after today, so only the observations a test moves to it (moveToPolicy) follow it.
 */
export async function allDayPolicy(http: Http, db: DataSource, category: string): Promise<string> {
  const [{ after }] = await db.query(`SELECT to_char(greatest(max(effective_from) + 1, '2097-01-01'), 'YYYY-MM-DD') AS after FROM observation_policy WHERE category = $1`, [category]);
  return (await http.post('/observation-policies').send({ category, effectiveFrom: after, rules: ALL_DAY_RULES }).expect(201)).body.id;
}

/** Moves the observation to the policy (a workflow update), waiting until its record shows it. */
export async function moveToPolicy(http: Http, db: DataSource, number: string, policyId: string): Promise<void> {
  await http.post(`/observations/${number}/policy`).send({ policyId, by: 'supervisor-wang' }).expect(200);
  await eventually(() => db.query(`SELECT policy_id FROM observation WHERE number = $1`, [number]), (rows) => rows[0]?.policy_id === policyId, { what: `observation ${number} on policy ${policyId}` });
}

/**
 * A report's tracking line as the API writes it on the observation clock (the line is what the
 * clock's sweep reads; a test that signals a report to its workflow writes this too). `period`:
 * the observation's, when an extension or a policy change moved it from its input's.
 */
export async function reportLine(db: DataSource, input: ObservationInput, report: Pick<TemperatureReport, 'requestId' | 'at' | 'temperature' | 'symptoms' | 'source'>, period = periodOf(input)): Promise<void> {
  const slot = openSlotAt(period, report.at);
  if (!slot) throw new Error(`no slot of ${input.number} is open at ${new Date(report.at).toISOString()}`);
  await new ObservationRepository(db).recordReport(input.number, reportEntry(input.number, report, period, slot.opensAt), null);
}
