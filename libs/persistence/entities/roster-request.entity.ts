import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A shift swap or an open-shift request, decided by a supervisor. */
@Entity('roster_request')
export class RosterRequestEntity {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  /** swap | open_shift */
  @Column() kind!: string;
  @Column({ name: 'shift_id' }) shiftId!: string;
  /** swap: the shift the other person gives in exchange (none: a plain hand-off). */
  @Column({ name: 'other_shift_id', type: 'text', nullable: true }) otherShiftId!: string | null;
  /** Who would take `shiftId`. */
  @Column({ name: 'staff_id' }) staffId!: string;
  @Column({ name: 'requested_by' }) requestedBy!: string;
  /** pending | approved | rejected */
  @Column() state!: string;
  @Column({ type: 'text', nullable: true }) note!: string | null;
  @Column({ name: 'decided_by', type: 'text', nullable: true }) decidedBy!: string | null;
  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true }) decidedAt!: Date | null;
  @Column({ name: 'decision_note', type: 'text', nullable: true }) decisionNote!: string | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
