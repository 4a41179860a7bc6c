import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A solved roster for a date range and posts: a draft until published into roster_shift. */
@Entity('roster_plan')
export class RosterPlanEntity {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Column({ name: 'from_date', type: 'date' }) fromDate!: string;
  @Column({ name: 'to_date', type: 'date' }) toDate!: string;
  @Column({ name: 'post_ids', type: 'text', array: true }) postIds!: string[];
  /** draft | published */
  @Column() state!: string;
  @Column({ type: 'jsonb' }) seats!: unknown[];
  @Column({ type: 'jsonb' }) assignments!: unknown[];
  @Column({ type: 'jsonb' }) unfilled!: unknown[];
  @Column({ type: 'jsonb' }) stats!: Record<string, unknown>;
  @Column({ name: 'created_by' }) createdBy!: string;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'published_by', type: 'text', nullable: true }) publishedBy!: string | null;
  @Column({ name: 'published_at', type: 'timestamptz', nullable: true }) publishedAt!: Date | null;
}
