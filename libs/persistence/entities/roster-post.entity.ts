import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { PostRequirements, ShiftSlot } from '../../../libs/roster/roster-seats';

/** A place that must be staffed (岗): checkpoint, community gate, on-call desk, transfer team. */
@Entity('roster_post')
@Index('roster_post_jurisdiction', ['jurisdiction'])
export class RosterPostEntity {
  @PrimaryColumn() id!: string;
  /** checkpoint | community_gate | on_call_desk | transfer_team */
  @Column() kind!: string;
  @Column() name!: string;
  @Column({ type: 'text', default: '' }) location!: string;
  /** The community whose peace/war mode applies. */
  @Column() jurisdiction!: string;
  /** The subdistrict that runs the post; null: the district command. */
  @Column({ type: 'text', nullable: true }) subdistrict!: string | null;
  /** Seats per shift and their skills, per mode. */
  @Column({ type: 'jsonb' }) requirements!: PostRequirements;
  /** The shift slots of a day (default 3 × 8 h); together they are the post's open hours. */
  @Column({ type: 'jsonb' }) pattern!: ShiftSlot[];
  @Column() supervisor!: string;
  /** Called, in order, when a shift's person does not show up. */
  @Column({ name: 'on_call', type: 'text', array: true, default: '{}' }) onCall!: string[];
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
