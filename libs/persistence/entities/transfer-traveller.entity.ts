import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One person of a run's manifest: identity here only (workflows carry the ids), status mirrored from the run. */
@Entity('transfer_traveller')
@Index('transfer_traveller_document', ['runId', 'documentType', 'documentNumber'], { unique: true })
@Index('transfer_traveller_status', ['runId', 'status'])
export class TransferTravellerEntity {
  @PrimaryColumn({ name: 'run_id' }) runId!: string;
  @PrimaryColumn({ name: 'traveller_id' }) travellerId!: string;
  /** 1-based row of the manifest. */
  @Column({ name: 'row_number', type: 'int' }) rowNumber!: number;
  @Column() name!: string;
  @Column({ name: 'document_type' }) documentType!: string;
  @Column({ name: 'document_number' }) documentNumber!: string;
  @Column({ type: 'text', nullable: true }) mobile!: string | null;
  /** Home-bound: the address observation starts at. */
  @Column({ type: 'jsonb', nullable: true }) address!: Record<string, string> | null;
  @Column({ name: 'responsible_worker', type: 'text', nullable: true }) responsibleWorker!: string | null;
  @Column({ name: 'arrival_time', type: 'timestamptz' }) arrivalTime!: Date;
  /** home_observation | centralized_quarantine */
  @Column() disposition!: string;
  @Column({ name: 'key_person', default: false }) keyPerson!: boolean;
  @Column({ name: 'family_group', type: 'text', nullable: true }) familyGroup!: string | null;
  @Column({ name: 'destination_id' }) destinationId!: string;
  /** waiting | on_board | arrived | handed_over | no_show | refused | unplanned | closed */
  @Column() status!: string;
  @Column({ name: 'trip_id', type: 'text', nullable: true }) tripId!: string | null;
  @Column({ name: 'handed_over_at', type: 'timestamptz', nullable: true }) handedOverAt!: Date | null;
  @Column({ type: 'jsonb', nullable: true }) receiver!: Record<string, string> | null;
  /** pending | done | failed: home observation started or quarantine record made. */
  @Column({ type: 'text', nullable: true }) aftercare!: string | null;
  @Column({ name: 'observation_number', type: 'text', nullable: true }) observationNumber!: string | null;
  @Column({ name: 'quarantine_record_id', type: 'uuid', nullable: true }) quarantineRecordId!: string | null;
  @Column({ name: 'closed_as', type: 'text', nullable: true }) closedAs!: string | null;
  @Column({ name: 'closed_by', type: 'text', nullable: true }) closedBy!: string | null;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
