import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Jurisdiction } from '../../../libs/auth/jurisdiction';
import type { Principal } from '../../../libs/auth/roles';
import { AppConfig } from '../../../libs/config/config';
import { APP_CONFIG } from '../../../libs/config/config.module';
import { invalid, notFound } from '../../../libs/domain/errors';
import { parseUuid } from '../../../libs/domain/ids';
import { EnrolmentService } from '../../../libs/observation/enrolment.service';
import { TransferRunRepository } from '../../../libs/persistence/transfer/transfer-run.repository';
import { homeObservationEnrolment } from '../../../libs/transfer/admission';

const STATES = ['pending', 'accepted'];
/** The most a list answers: hand-overs waiting for one jurisdiction are a day's arrivals, not a ledger. */
const LIST_LIMIT = 500;

const SELECT_HAND_OVERS = `SELECT h.id, h.run_id AS "runId", h.traveller_id AS "travellerId", h.from_subdistrict AS "fromSubdistrict", h.subdistrict, h.community,
    h.state, h.observation_number AS "observationNumber", h.accepted_by AS "acceptedBy", h.accepted_at AS "acceptedAt", h.created_at AS "createdAt",
    t.name, t.document_type AS "documentType", t.document_number AS "documentNumber", t.mobile, t.address, t.arrival_time AS "arrivalTime", t.handed_over_at AS "handedOverAt"
  FROM incoming_hand_over h JOIN transfer_traveller t ON t.run_id = h.run_id AND t.traveller_id = h.traveller_id`;

/**
 * Travellers a transfer run of another jurisdiction took home here (transfer.activities.ts,
 * admitAfterHandOver): listed for the home jurisdiction, and enrolled by it when it accepts one,
 * with its own responsible worker.
 */
@Injectable()
export class IncomingHandOverService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly enrolment: EnrolmentService,
    private readonly transferRuns: TransferRunRepository,
  ) {}

  /** The hand-overs of a jurisdiction (already narrowed to the caller's), newest first. */
  async list(place: Partial<Jurisdiction>, state = 'pending') {
    if (!STATES.includes(state)) throw invalid('state', `must be ${STATES.join(' or ')}`);
    const items = await this.dataSource.query(
      `${SELECT_HAND_OVERS} WHERE ($1::text IS NULL OR h.subdistrict = $1) AND ($2::text IS NULL OR h.community = $2) AND h.state = $3
       ORDER BY h.created_at DESC, h.id LIMIT ${LIST_LIMIT}`,
      [place.subdistrict ?? null, place.community ?? null, state],
    );
    return { items };
  }

  async get(id: string) {
    const [row] = await this.dataSource.query(`${SELECT_HAND_OVERS} WHERE h.id = $1`, [parseUuid(id) ?? null]);
    if (!row) throw notFound('incoming hand-over', id);
    return row;
  }

  /** Takes the traveller over: enrols them here (once, whatever the retries) and records who accepted. */
  async accept(id: string, responsibleWorker: string, actor: Principal) {
    const handOver = await this.get(id);
    const traveller = await this.transferRuns.traveller(handOver.runId, handOver.travellerId);
    if (!traveller) throw notFound('incoming hand-over', id);
    const enrolled = await this.enrolment.enrol(homeObservationEnrolment(traveller, this.config.timeZone, responsibleWorker), actor);
    await this.dataSource.query(
      `UPDATE incoming_hand_over SET state = 'accepted', observation_number = $2, accepted_by = $3, accepted_at = now() WHERE id = $1 AND state = 'pending'`,
      [parseUuid(id), enrolled.observationNumber, actor.username],
    );
    return this.get(id);
  }
}
