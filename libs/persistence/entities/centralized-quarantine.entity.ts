import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A person taken into a centralized quarantine hotel (集中隔离); one per hand-over, whatever retries. */
@Entity('centralized_quarantine')
@Index('centralized_quarantine_hotel', ['hotelId', 'arrivalDate'])
export class CentralizedQuarantineEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  /** `transfer:<runId>:<travellerId>` for a transfer's hand-over. */
  @Column({ name: 'client_request_id', unique: true }) clientRequestId!: string;
  @Column({ name: 'hotel_id' }) hotelId!: string;
  @Column() name!: string;
  @Column({ name: 'document_type' }) documentType!: string;
  @Column({ name: 'document_number' }) documentNumber!: string;
  @Column({ type: 'text', nullable: true }) mobile!: string | null;
  @Column({ name: 'arrival_date', type: 'date' }) arrivalDate!: string;
  @Column({ name: 'run_id', type: 'text', nullable: true }) runId!: string | null;
  @Column({ name: 'traveller_id', type: 'text', nullable: true }) travellerId!: string | null;
  @Column({ name: 'admitted_at', type: 'timestamptz' }) admittedAt!: Date;
}
