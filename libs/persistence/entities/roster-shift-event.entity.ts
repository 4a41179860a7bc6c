import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** What happened on a shift, in workflow time: check-in, no-show, calls, incidents, hand-over. */
@Entity('roster_shift_event')
@Index('roster_shift_event_shift', ['shiftId', 'at'])
export class RosterShiftEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'shift_id' }) shiftId!: string;
  @Column({ type: 'timestamptz' }) at!: Date;
  @Column() kind!: string;
  @Column({ type: 'jsonb', default: '{}' }) detail!: Record<string, unknown>;
  @Column({ name: 'dedup_key', type: 'text', nullable: true, unique: true }) dedupKey!: string | null;
}
