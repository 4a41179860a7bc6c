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
import { NotificationOutbox } from '../../libs/notifications/notification-outbox';
import { ReportLinks } from '../../libs/observation/report-links';
import { ReportLinkRepository } from '../../libs/persistence/observation/report-link.repository';
import { EnrolmentRequest } from '../../libs/domain/person/enrolment';
import { residentIdCheckCharacter } from '../../libs/domain/person/resident-id';

/** A valid resident ID, random enough that test files sharing one database never collide. */
export function freshResidentId(): string {
  const birth = new Date(Date.UTC(1950, 0, 1) + randomInt(0, 20_000) * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
  const id17 = `110108${birth}${String(randomInt(0, 1000)).padStart(3, '0')}`;
  return id17 + residentIdCheckCharacter(id17);
}

export function enrolmentRequest(overrides: Partial<EnrolmentRequest> = {}): EnrolmentRequest {
  return {
    name: '张伟',
    documentType: 'resident_id',
    documentNumber: freshResidentId(),
    mobile: '13800138000',
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
  const reportLinks = new ReportLinks(new ReportLinkRepository(dataSource), new NotificationOutbox(createChannels(process.env), people), dataSource, config);
  return new EnrolmentService(new ObservationRepository(dataSource), people, client, config, new ObservationPolicyService(new ObservationPolicyRepository(dataSource)), reportLinks);
}

/** An instant as the API answers it: ISO 8601 in UTC, to the millisecond. */
export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
