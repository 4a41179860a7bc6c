import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { parseUuid } from '../../domain/ids';
import type { Language } from '../../domain/contact';

/** The devices a person may carry, by kind; each id is on one person at most (a unique index per kind). */
export interface PersonDevices {
  doorSensorId?: string;
  cameraId?: string;
  thermometerId?: string;
}
export type DeviceKey = keyof PersonDevices;
/** Each kind's key in `person.devices`, as literals a statement may write out. */
export const DEVICE_KEYS: Record<DeviceKey, DeviceKey> = { doorSensorId: 'doorSensorId', cameraId: 'cameraId', thermometerId: 'thermometerId' };

/** One person's record (一人一表). */
export interface PersonRecord {
  id: string;
  name: string;
  documentType: string;
  documentNumber: string;
  mobile: string;
  /** The language of their messages. */
  language: Language;
  subdistrict: string;
  community: string;
  building: string;
  unit: string;
  addressDetail: string | null;
  devices: PersonDevices;
}

/** Where a person's record lies, and their open observation with its place, if any. */
export interface PersonOnRecord {
  subdistrict: string;
  community: string;
  openNumber: string | null;
  openSubdistrict: string | null;
  openCommunity: string | null;
}

/** An observation's place in SQL: open while active, escalated or awaiting its pick-up. */
export const OPEN = `o.status IN ('active', 'escalated', 'awaiting_pickup')`;

/** The person with document $1, $2 as a `PersonOnRecord`. */
export const PERSON_BY_DOCUMENT = `SELECT p.subdistrict, p.community, o.number AS "openNumber", o.subdistrict AS "openSubdistrict", o.community AS "openCommunity"
  FROM person p LEFT JOIN observation o ON o.person_id = p.id AND ${OPEN}
  WHERE p.document_type = $1 AND p.document_number = $2 LIMIT 1`;

/**
 * People (`person`): every statement that reads or changes a person alone. An enrolment writes the
 * person with the observation, in ObservationRepository.
 */
@Injectable()
export class PersonRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async byId(id: string): Promise<PersonRecord | undefined> {
    const [row] = await this.dataSource.query(
      `SELECT id, name, document_type AS "documentType", document_number AS "documentNumber", mobile, subdistrict, community, building, unit,
         address_detail AS "addressDetail", devices FROM person WHERE id = $1`,
      [id],
    );
    return row;
  }

  async byDocument(documentType: string, documentNumber: string): Promise<PersonOnRecord | undefined> {
    const [row] = await this.dataSource.query(PERSON_BY_DOCUMENT, [documentType, documentNumber]);
    return row;
  }

  /** Names and document numbers of people, by id. */
  identities(ids: string[]): Promise<Array<{ id: string; name: string; documentNumber: string }>> {
    if (!ids.length) return Promise.resolve([]);
    return this.dataSource.query(`SELECT id, name, document_number AS "documentNumber" FROM person WHERE id = ANY($1::uuid[])`, [ids]);
  }

  /** The name of the person an observation concerns, in the caller's transaction. */
  async nameOfObservation(number: string, db: EntityManager = this.dataSource.manager): Promise<string | undefined> {
    return (await this.namesOfObservations([number], db)).get(number);
  }

  /** The names of the people the observations concern, by observation number, in the caller's transaction. */
  async namesOfObservations(numbers: string[], db: EntityManager = this.dataSource.manager): Promise<Map<string, string>> {
    if (!numbers.length) return new Map();
    const rows: Array<{ number: string; name: string }> = await db.query(`SELECT o.number, p.name FROM observation o JOIN person p ON p.id = o.person_id WHERE o.number = ANY($1::text[])`, [numbers]);
    return new Map(rows.map((r) => [r.number, r.name]));
  }

  /** The people's mobiles and the languages of their messages, by person id, in the caller's transaction; no entry for no such person (or an id that is no uuid). */
  async contactsOf(personIds: string[], db: EntityManager = this.dataSource.manager): Promise<Map<string, { mobile: string; language: Language }>> {
    const asGiven = personIds.flatMap((given) => (parseUuid(given) ? [[given, parseUuid(given)!] as const] : []));
    if (!asGiven.length) return new Map();
    const rows: Array<{ id: string; mobile: string; language: Language }> = await db.query(`SELECT id, mobile, language FROM person WHERE id = ANY($1::uuid[])`, [asGiven.map(([, id]) => id)]);
    const byId = new Map(rows.map(({ id, ...contact }) => [id, contact]));
    return new Map(asGiven.flatMap(([given, id]) => (byId.has(id) ? [[given, byId.get(id)!] as const] : [])));
  }

  /**
   * Moves a person not under observation from `from` to the new address; undefined when they were
   * enrolled or moved meanwhile (only as read: nothing concurrent is overwritten).
   */
  async move(
    person: { documentType: string; documentNumber: string },
    from: { subdistrict: string; community: string },
    to: { subdistrict: string; community: string; building: string; unit: string; detail?: string },
  ): Promise<string | undefined> {
    const [moved] = await this.dataSource.query(
      `UPDATE person p SET subdistrict = $3, community = $4, building = $5, unit = $6, address_detail = $7
       WHERE document_type = $1 AND document_number = $2 AND subdistrict = $8 AND community = $9
         AND NOT EXISTS (SELECT 1 FROM observation o WHERE o.person_id = p.id AND ${OPEN})
       RETURNING id`,
      [person.documentType, person.documentNumber, to.subdistrict, to.community, to.building, to.unit, to.detail ?? null, from.subdistrict, from.community],
    );
    return moved?.[0]?.id;
  }
}
