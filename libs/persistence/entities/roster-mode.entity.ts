import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** A jurisdiction's current command mode (平战转换); no row means peace. */
@Entity('roster_mode')
export class RosterModeEntity {
  @PrimaryColumn() jurisdiction!: string;
  /** peace | war */
  @Column() mode!: string;
  @Column({ name: 'changed_at', type: 'timestamptz' }) changedAt!: Date;
  @Column({ name: 'changed_by' }) changedBy!: string;
}

/** The audit of every mode switch and what it changed. */
@Entity('roster_mode_switch')
export class RosterModeSwitchEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column() jurisdiction!: string;
  @Column({ name: 'from_mode' }) fromMode!: string;
  @Column({ name: 'to_mode' }) toMode!: string;
  @Column({ name: 'effective_at', type: 'timestamptz' }) effectiveAt!: Date;
  @Column({ name: 'switched_by' }) switchedBy!: string;
  @Column({ type: 'text' }) reason!: string;
  @Column({ type: 'jsonb' }) summary!: Record<string, unknown>;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
