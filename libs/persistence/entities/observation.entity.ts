import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** The row a supervisor's lists read; the workflow is the source of truth for its live state. */
@Entity('observation')
@Index('observation_filter', ['subdistrict', 'community', 'status', 'category'])
@Index('observation_next_due', ['status', 'nextDueAt'])
export class ObservationEntity {
  /** Read out on the phone: subdistrict code, category, sequence (e.g. XY-C-000123). */
  @PrimaryColumn() number!: string;
  @Column({ name: 'person_id', type: 'uuid' }) personId!: string;
  @Column({ length: 1 }) category!: string;
  /** active | escalated | released | ended */
  @Column() status!: string;
  @Column() subdistrict!: string;
  @Column() community!: string;
  @Column({ name: 'responsible_worker' }) responsibleWorker!: string;
  @Column({ name: 'anchor_date', type: 'date' }) anchorDate!: string;
  @Column({ name: 'policy_id' }) policyId!: string;
  /** Enrolment instant: slots opening before it are not owed. */
  @Column({ name: 'started_at', type: 'timestamptz' }) startedAt!: Date;
  @Column({ name: 'release_due_at', type: 'timestamptz' }) releaseDueAt!: Date;
  @Column({ name: 'next_due_at', type: 'timestamptz', nullable: true }) nextDueAt!: Date | null;
  @Column({ name: 'last_report_at', type: 'timestamptz', nullable: true }) lastReportAt!: Date | null;
  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true }) endedAt!: Date | null;
  @Column({ name: 'end_reason', type: 'text', nullable: true }) endReason!: string | null;
  @Column({ name: 'client_request_id', type: 'text', nullable: true }) clientRequestId!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
