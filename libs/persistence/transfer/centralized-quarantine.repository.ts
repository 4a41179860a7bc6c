import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** A person taken into a centralized quarantine hotel (集中隔离) by a transfer's hand-over. */
export interface QuarantineAdmission {
  /** `transfer:<runId>:<travellerId>`: one record per hand-over, whatever the retries. */
  requestId: string;
  hotelId: string;
  name: string;
  documentType: string;
  documentNumber: string;
  mobile: string | null;
  /** The local date of arrival, YYYY-MM-DD. */
  arrivalDate: string;
  runId: string;
  travellerId: string;
}

/** Every statement on centralized_quarantine. */
@Injectable()
export class CentralizedQuarantineRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Records the admission once per request id; the record's id, the first one's on a repeat. */
  async admit(admission: QuarantineAdmission): Promise<string> {
    await this.dataSource.query(
      `INSERT INTO centralized_quarantine (client_request_id, hotel_id, name, document_type, document_number, mobile, arrival_date, run_id, traveller_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (client_request_id) DO NOTHING`,
      [admission.requestId, admission.hotelId, admission.name, admission.documentType, admission.documentNumber, admission.mobile, admission.arrivalDate, admission.runId, admission.travellerId],
    );
    // Read apart from the insert: a concurrent first admission is visible once it has committed.
    const [record] = await this.dataSource.query(`SELECT id FROM centralized_quarantine WHERE client_request_id = $1`, [admission.requestId]);
    return record.id;
  }
}
