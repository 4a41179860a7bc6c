import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Principal } from '../../auth/roles';

export interface ImportRowResult {
  row: number;
  status: 'accepted' | 'rejected' | 'duplicate';
  observationNumber?: string;
  field?: string;
  reason?: string;
}

/** A ledger import (台账): its progress; its rows and their results are `import_row`s. */
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
  /** Part of each row's client request id: the same file enrols nobody twice. */
  @Column({ name: 'file_key', type: 'text', nullable: true }) fileKey!: string | null;
  /** Who uploaded it, as the enrolments of its rows are made in their name. */
  @Column({ type: 'jsonb', nullable: true }) actor!: Principal | null;
  @Column({ type: 'text', nullable: true }) error!: string | null;
  @Column({ name: 'requested_by' }) requestedBy!: string;
  /** The requester's jurisdiction: rows outside it are refused, and only people covering it read the job. */
  @Column({ type: 'text', nullable: true }) subdistrict!: string | null;
  @Column({ type: 'text', nullable: true }) community!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

/** One row of an uploaded ledger, stored before the upload is answered, and its result once enrolled. */
@Entity('import_row')
export class ImportRowEntity {
  @PrimaryColumn({ name: 'job_id', type: 'uuid' }) jobId!: string;
  /** The row's place among the file's rows, from 0. */
  @PrimaryColumn({ type: 'int' }) seq!: number;
  /** The sheet row a person sees. */
  @Column({ name: 'row_number', type: 'int' }) rowNumber!: number;
  /** The row as read; cleared once its result is written. */
  @Column({ type: 'jsonb', nullable: true }) record!: Record<string, unknown> | null;
  @Column({ type: 'jsonb', nullable: true }) hints!: Record<string, string> | null;
  @Column({ type: 'jsonb', nullable: true }) result!: ImportRowResult | null;
}
