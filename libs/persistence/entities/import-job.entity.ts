import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export interface ImportRowResult {
  row: number;
  status: 'accepted' | 'rejected' | 'duplicate';
  observationNumber?: string;
  field?: string;
  reason?: string;
}

/** A ledger import (台账): its progress and a result per row. */
@Entity('import_job')
export class ImportJobEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'file_name' }) fileName!: string;
  /** parsing | running | done | failed */
  @Column() state!: string;
  @Column({ name: 'total_rows', type: 'int', default: 0 }) totalRows!: number;
  @Column({ name: 'processed_rows', type: 'int', default: 0 }) processedRows!: number;
  @Column({ type: 'int', default: 0 }) accepted!: number;
  @Column({ type: 'int', default: 0 }) rejected!: number;
  @Column({ type: 'jsonb', default: () => `'[]'` }) results!: ImportRowResult[];
  @Column({ type: 'text', nullable: true }) error!: string | null;
  @Column({ name: 'requested_by' }) requestedBy!: string;
  /** The requester's jurisdiction: rows outside it are refused, and only people covering it read the job. */
  @Column({ type: 'text', nullable: true }) subdistrict!: string | null;
  @Column({ type: 'text', nullable: true }) community!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
