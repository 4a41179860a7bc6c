import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A roster for a date range and posts: solving (in the worker), then a draft until published into roster_shift, or failed. */
@Entity('roster_plan')
export class RosterPlanEntity {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Column({ name: 'from_date', type: 'date' }) fromDate!: string;
  @Column({ name: 'to_date', type: 'date' }) toDate!: string;
  @Column({ name: 'post_ids', type: 'text', array: true }) postIds!: string[];
  /** solving | draft | published | failed */
  @Column() state!: string;
  @Column({ type: 'jsonb' }) seats!: unknown[];
  @Column({ type: 'jsonb' }) assignments!: unknown[];
  @Column({ type: 'jsonb' }) unfilled!: unknown[];
  @Column({ type: 'jsonb' }) stats!: Record<string, unknown>;
  @Column({ name: 'created_by' }) createdBy!: string;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'published_by', type: 'text', nullable: true }) publishedBy!: string | null;
  @Column({ name: 'published_at', type: 'timestamptz', nullable: true }) publishedAt!: Date | null;
  /** What was asked: pins, seed and the mode of each jurisdiction of the posts. */
  @Column({ type: 'jsonb' }) request!: Record<string, unknown>;
  /** The instant the plan was asked for: seats over by then are left out. */
  @Column({ name: 'as_of', type: 'timestamptz', nullable: true }) asOf!: Date | null;
  @Column({ type: 'text', nullable: true }) failure!: string | null;
}
