import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { queryPage } from '../page-query';

export type StayStatus = 'in_room' | 'released' | 'handed_back' | 'transferred_out';

/** A quarantine stay at a hotel, as its record and the hotel hand-over that began it have it. */
export interface StayRecord {
  id: string;
  hotelId: string;
  hotelName: string;
  room: number;
  /** Where the stay lies: the hotel's subdistrict and community (null where the hotel has none). */
  subdistrict: string | null;
  community: string | null;
  /** YYYY-MM-DD: the traveller's arrival, day 1 of the period. */
  anchorDate: string;
  status: StayStatus;
  checkedInAt: Date;
  checkedOutAt: Date | null;
  /** The observation that holds the stay's daily health checks. */
  observationNumber: string | null;
  /** Why the health checks could not be enrolled, if they could not. */
  healthChecksRefused: string | null;
  homeObservationNumber: string | null;
  endReason: string | null;
  endedBy: string | null;
  name: string;
  documentType: string;
  documentNumber: string;
  mobile: string | null;
  responsibleWorker: string | null;
}

const STAY_COLUMNS = `s.id, s.hotel_id AS "hotelId", d.name AS "hotelName", s.room, s.subdistrict, s.community, to_char(s.anchor_date, 'YYYY-MM-DD') AS "anchorDate",
    s.status, s.checked_in_at AS "checkedInAt", s.checked_out_at AS "checkedOutAt", s.observation_number AS "observationNumber",
    s.health_checks_refused AS "healthChecksRefused", s.home_observation_number AS "homeObservationNumber", s.end_reason AS "endReason", s.ended_by AS "endedBy",
    q.name, q.document_type AS "documentType", q.document_number AS "documentNumber", q.mobile, d.worker AS "responsibleWorker"`;
const STAY_FROM = `FROM quarantine_stay s JOIN centralized_quarantine q ON q.id = s.id JOIN transfer_destination d ON d.id = s.hotel_id`;

/** Every statement on quarantine_stay. Ids must be uuids (parseUuid). */
@Injectable()
export class StayRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Checks the admitted person into the lowest-numbered free room of their hotel (rooms 1 to its
   * capacity), once per admission: a repeat finds the stay already checked in. Check-ins at one hotel
   * take turns (a lock for the transaction), so a busy hand-over does not hand one room out twice;
   * the unique index on occupied rooms holds regardless. Undefined when no room is free.
   */
  async checkIn(id: string): Promise<StayRecord | undefined> {
    await this.dataSource.transaction(async (db) => {
      await db.query(`SELECT pg_advisory_xact_lock(hashtext('quarantine_stay:' || hotel_id)) FROM centralized_quarantine WHERE id = $1`, [id]);
      await db.query(
        `INSERT INTO quarantine_stay (id, hotel_id, room, subdistrict, community, anchor_date, status)
         SELECT q.id, q.hotel_id, free.room, d.subdistrict, d.community, q.arrival_date, 'in_room'
         FROM centralized_quarantine q JOIN transfer_destination d ON d.id = q.hotel_id
         CROSS JOIN LATERAL (
           SELECT n AS room FROM generate_series(1, coalesce(d.capacity, 0)) n
           WHERE NOT EXISTS (SELECT 1 FROM quarantine_stay o WHERE o.hotel_id = q.hotel_id AND o.room = n AND o.status = 'in_room')
           ORDER BY n LIMIT 1) free
         WHERE q.id = $1
         ON CONFLICT DO NOTHING`,
        [id],
      );
    });
    return this.get(id);
  }

  async get(id: string): Promise<StayRecord | undefined> {
    const [row] = await this.dataSource.query(`SELECT ${STAY_COLUMNS} ${STAY_FROM} WHERE s.id = $1`, [id]);
    return row;
  }

  /** The hotel an admission went to, with its capacity: why a check-in found no room. */
  async hotelOf(id: string): Promise<{ hotelId: string; capacity: number | null; occupied: number } | undefined> {
    const [row] = await this.dataSource.query(
      `SELECT q.hotel_id AS "hotelId", d.capacity, (SELECT count(*)::int FROM quarantine_stay o WHERE o.hotel_id = q.hotel_id AND o.status = 'in_room') AS occupied
       FROM centralized_quarantine q JOIN transfer_destination d ON d.id = q.hotel_id WHERE q.id = $1`,
      [id],
    );
    return row;
  }

  async placeOf(id: string): Promise<{ subdistrict: string | null; community: string | null } | undefined> {
    const [row] = await this.dataSource.query(`SELECT subdistrict, community FROM quarantine_stay WHERE id = $1`, [id]);
    return row;
  }

  /** A page of stays within the place (of one hotel, one status if asked), latest check-in first. */
  page(
    filter: { subdistrict?: string | null; community?: string | null; hotelId?: string; status?: StayStatus },
    page: { offset: number; pageSize: number },
  ): Promise<{ items: StayRecord[]; total: number }> {
    return queryPage(
      this.dataSource,
      {
        columns: STAY_COLUMNS,
        from: `${STAY_FROM} WHERE ($1::text IS NULL OR s.subdistrict = $1) AND ($2::text IS NULL OR s.community = $2) AND ($3::text IS NULL OR s.hotel_id = $3) AND ($4::text IS NULL OR s.status = $4)`,
        orderBy: 's.checked_in_at DESC, s.id',
      },
      [filter.subdistrict ?? null, filter.community ?? null, filter.hotelId ?? null, filter.status ?? null],
      page,
    );
  }

  /** The observation enrolled for the stay's health checks, or why none could be. */
  async recordHealthChecks(id: string, outcome: { observationNumber: string } | { refused: string }): Promise<void> {
    await this.dataSource.query(`UPDATE quarantine_stay SET observation_number = $2, health_checks_refused = $3 WHERE id = $1`, [
      id,
      'observationNumber' in outcome ? outcome.observationNumber : null,
      'refused' in outcome ? outcome.refused : null,
    ]);
  }

  /** Checks out of the room, once: a repeat changes nothing. */
  async checkOut(id: string, end: { status: Exclude<StayStatus, 'in_room'>; reason: string; by: string; at: Date }): Promise<void> {
    await this.dataSource.query(
      `UPDATE quarantine_stay SET status = $2, end_reason = $3, ended_by = $4, checked_out_at = $5 WHERE id = $1 AND status = 'in_room'`,
      [id, end.status, end.reason, end.by, end.at],
    );
  }

  async recordHomeObservation(id: string, number: string): Promise<void> {
    await this.dataSource.query(`UPDATE quarantine_stay SET home_observation_number = $2 WHERE id = $1`, [id, number]);
  }
}
