import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { TimeInterval } from '../../../libs/roster/roster-rules';

/** Duty staff (值守人员) with skills, availability, preferences and contract limits (null: the defaults). */
@Entity('roster_staff')
export class RosterStaffEntity {
  @PrimaryColumn() id!: string;
  @Column() name!: string;
  /** cadre | guard | volunteer | medical | police_liaison */
  @Column() role!: string;
  @Column({ name: 'home_community', type: 'text', nullable: true }) homeCommunity!: string | null;
  @Column({ type: 'text', array: true, default: '{}' }) skills!: string[];
  @Column({ type: 'text', nullable: true }) mobile!: string | null;
  @Column({ type: 'text', nullable: true }) email!: string | null;
  /** Epoch-ms intervals. */
  @Column({ type: 'jsonb', default: '[]' }) unavailable!: TimeInterval[];
  @Column({ name: 'avoid_nights', default: false }) avoidNights!: boolean;
  @Column({ name: 'preferred_post_ids', type: 'text', array: true, default: '{}' }) preferredPostIds!: string[];
  @Column({ name: 'max_hours_per_day', type: 'int', nullable: true }) maxHoursPerDay!: number | null;
  @Column({ name: 'max_hours_per_week', type: 'int', nullable: true }) maxHoursPerWeek!: number | null;
  @Column({ name: 'max_consecutive_days', type: 'int', nullable: true }) maxConsecutiveDays!: number | null;
  @Column({ name: 'max_shifts_per_day', type: 'int', nullable: true }) maxShiftsPerDay!: number | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
