import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A transfer exception (no-show, refusal, breakdown, ...) with its owner and deadline. */
@Entity('transfer_exception')
@Index('transfer_exception_run', ['runId', 'state'])
export class TransferExceptionEntity {
  /** `${runId}/${n}` */
  @PrimaryColumn() id!: string;
  @Column({ name: 'run_id' }) runId!: string;
  @Column() kind!: string;
  @Column({ name: 'traveller_ids', type: 'jsonb' }) travellerIds!: string[];
  @Column({ name: 'trip_id', type: 'text', nullable: true }) tripId!: string | null;
  @Column({ name: 'owner_role' }) ownerRole!: string;
  @Column() owner!: string;
  /** open | escalated | acknowledged | resolved */
  @Column() state!: string;
  @Column({ type: 'text' }) reason!: string;
  @Column({ name: 'opened_at', type: 'timestamptz' }) openedAt!: Date;
  @Column({ type: 'timestamptz' }) deadline!: Date;
  @Column({ name: 'escalated_at', type: 'timestamptz', nullable: true }) escalatedAt!: Date | null;
  @Column({ type: 'text', nullable: true }) resolution!: string | null;
  @Column({ name: 'decided_by', type: 'text', nullable: true }) decidedBy!: string | null;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
