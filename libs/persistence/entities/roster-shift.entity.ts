import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One published seat on one shift at one post (班): the row lists read; its workflow holds the live state. */
@Entity('roster_shift')
@Index('roster_shift_seat', ['postId', 'seatNo', 'startAt'])
@Index('roster_shift_window', ['status', 'startAt'])
export class RosterShiftEntity {
  /** `<postId>-<yyyymmdd>-s<slot>-<seatNo>`; the workflow id is `shift-<id>`. */
  @PrimaryColumn() id!: string;
  @Column({ name: 'post_id' }) postId!: string;
  @Column() jurisdiction!: string;
  @Column({ name: 'shift_date', type: 'date' }) shiftDate!: string;
  @Column({ type: 'int' }) slot!: number;
  @Column({ name: 'seat_no', type: 'int' }) seatNo!: number;
  /** peace | war: the mode that required this seat. */
  @Column() mode!: string;
  @Column({ name: 'start_at', type: 'timestamptz' }) startAt!: Date;
  @Column({ name: 'end_at', type: 'timestamptz' }) endAt!: Date;
  @Column({ name: 'required_skill', type: 'text', nullable: true }) requiredSkill!: string | null;
  /** null: unfilled, reported with unfilledReason. */
  @Column({ name: 'staff_id', type: 'text', nullable: true }) staffId!: string | null;
  /** published | cancelled */
  @Column() status!: string;
  /** scheduled | on_duty | no_show | handing_over | completed | missed | cancelled */
  @Column({ name: 'duty_state' }) dutyState!: string;
  @Column({ name: 'unfilled_reason', type: 'text', nullable: true }) unfilledReason!: string | null;
  @Column({ name: 'plan_id', type: 'uuid', nullable: true }) planId!: string | null;
  @Column({ name: 'workflow_started', default: false }) workflowStarted!: boolean;
  @Column({ name: 'checked_in_by', type: 'text', nullable: true }) checkedInBy!: string | null;
  @Column({ name: 'checked_in_at', type: 'timestamptz', nullable: true }) checkedInAt!: Date | null;
  @Column({ name: 'gap_since', type: 'timestamptz', nullable: true }) gapSince!: Date | null;
  @Column({ name: 'handover_note', type: 'text', nullable: true }) handoverNote!: string | null;
  @Column({ name: 'handed_over_to', type: 'text', nullable: true }) handedOverTo!: string | null;
  @Column({ name: 'handed_over_at', type: 'timestamptz', nullable: true }) handedOverAt!: Date | null;
  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true }) endedAt!: Date | null;
  @Column({ name: 'end_reason', type: 'text', nullable: true }) endReason!: string | null;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
