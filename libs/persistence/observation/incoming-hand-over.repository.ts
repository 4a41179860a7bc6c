import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { queryPage } from '../page-query';
import type { Arrival } from '../../observation/arrival-enrolment';

export type HandOverState = 'pending' | 'accepted';

/**
 * A traveller a transfer run of another jurisdiction took home here, waiting for this jurisdiction
 * to take them over (or taken over), with who they are as the run's manifest has them.
 */
export interface IncomingHandOver extends Arrival {
  id: string;
  /** The subdistrict of the run that handed the traveller over (null: the district command). */
  fromSubdistrict: string | null;
  /** Where the traveller lives: the jurisdiction that receives them. */
  subdistrict: string;
  community: string;
  state: HandOverState;
  observationNumber: string | null;
  acceptedBy: string | null;
  acceptedAt: Date | null;
  createdAt: Date;
  handedOverAt: Date | null;
}

const HAND_OVER_COLUMNS = `h.id, h.run_id AS "runId", h.traveller_id AS "travellerId", h.from_subdistrict AS "fromSubdistrict", h.subdistrict, h.community,
    h.state, h.observation_number AS "observationNumber", h.accepted_by AS "acceptedBy", h.accepted_at AS "acceptedAt", h.created_at AS "createdAt",
    t.name, t.document_type AS "documentType", t.document_number AS "documentNumber", t.mobile, t.address, t.arrival_time AS "arrivalTime", t.handed_over_at AS "handedOverAt"`;
const WITH_TRAVELLER = `FROM incoming_hand_over h JOIN transfer_traveller t ON t.run_id = h.run_id AND t.traveller_id = h.traveller_id`;

/** Incoming hand-overs (`incoming_hand_over`), read with their traveller's manifest row. Ids must be uuids (parseUuid). */
@Injectable()
export class IncomingHandOverRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** A page of one state's hand-overs within the place, newest first. */
  page(place: { subdistrict?: string | null; community?: string | null }, state: HandOverState, page: { offset: number; pageSize: number }): Promise<{ items: IncomingHandOver[]; total: number }> {
    return queryPage(
      this.dataSource,
      { columns: HAND_OVER_COLUMNS, from: `${WITH_TRAVELLER} WHERE ($1::text IS NULL OR h.subdistrict = $1) AND ($2::text IS NULL OR h.community = $2) AND h.state = $3`, orderBy: 'h.created_at DESC, h.id' },
      [place.subdistrict ?? null, place.community ?? null, state],
      page,
    );
  }

  async byId(id: string): Promise<IncomingHandOver | undefined> {
    const [row] = await this.dataSource.query(`SELECT ${HAND_OVER_COLUMNS} ${WITH_TRAVELLER} WHERE h.id = $1`, [id]);
    return row;
  }

  async placeOf(id: string): Promise<{ subdistrict: string; community: string } | undefined> {
    const [row] = await this.dataSource.query(`SELECT subdistrict, community FROM incoming_hand_over WHERE id = $1`, [id]);
    return row;
  }

  /** Records the traveller's hand-over to their home jurisdiction, once per run and traveller; its id. */
  async refer(handOver: { runId: string; travellerId: string; fromSubdistrict: string | null; subdistrict: string; community: string }): Promise<string> {
    const [row] = await this.dataSource.query(
      `WITH added AS (
         INSERT INTO incoming_hand_over (run_id, traveller_id, from_subdistrict, subdistrict, community) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (run_id, traveller_id) DO NOTHING RETURNING id)
       SELECT id FROM added UNION ALL SELECT id FROM incoming_hand_over WHERE run_id = $1 AND traveller_id = $2`,
      [handOver.runId, handOver.travellerId, handOver.fromSubdistrict, handOver.subdistrict, handOver.community],
    );
    return row.id;
  }

  /** Marks a pending hand-over taken over, with the observation it enrolled; one already accepted stays as it was. */
  async accept(id: string, observationNumber: string, by: string): Promise<void> {
    await this.dataSource.query(`UPDATE incoming_hand_over SET state = 'accepted', observation_number = $2, accepted_by = $3, accepted_at = now() WHERE id = $1 AND state = 'pending'`, [
      id,
      observationNumber,
      by,
    ]);
  }
}
