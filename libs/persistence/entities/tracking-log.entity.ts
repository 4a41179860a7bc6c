import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** The 14-day day-by-day tracking log (14天居家动态跟踪记录): append-only. */
@Entity('tracking_log')
@Index('tracking_log_observation', ['observationNumber', 'at'])
export class TrackingLogEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'observation_number' }) observationNumber!: string;
  @Column({ type: 'timestamptz' }) at!: Date;
  /** Day n of the period, 1-based. */
  @Column({ type: 'int' }) day!: number;
  /** report | reminder | missed_report | escalation | decision | device_event | extension | policy_change | release | end */
  @Column() kind!: string;
  @Column({ name: 'slot_start', type: 'timestamptz', nullable: true }) slotStart!: Date | null;
  @Column({ type: 'numeric', precision: 4, scale: 1, nullable: true }) temperature!: string | null;
  @Column({ type: 'jsonb', default: () => `'{}'` }) detail!: Record<string, unknown>;
  /** Idempotency: a retried report or activity writes its row once. */
  @Column({ name: 'dedup_key', type: 'text', nullable: true, unique: true }) dedupKey!: string | null;
}
