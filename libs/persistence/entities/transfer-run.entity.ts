import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A transfer run (转运) as lists read it; the run workflow is the source of truth while it runs. */
@Entity('transfer_run')
@Index('transfer_run_created', ['createdAt', 'id'])
export class TransferRunEntity {
  @PrimaryColumn() id!: string;
  @Column({ name: 'client_request_id', type: 'text', nullable: true, unique: true }) clientRequestId!: string | null;
  /** standard | key_person */
  @Column() kind!: string;
  /** planned | running | completed */
  @Column() status!: string;
  @Column({ name: 'sorting_point_id' }) sortingPointId!: string;
  @Column() dispatcher!: string;
  /** The subdistrict that runs the transfer; null: the district command. */
  @Column({ type: 'text', nullable: true }) subdistrict!: string | null;
  @Column() supervisor!: string;
  /** The sorting point, vehicles, escorts and destinations as they were when the run started (contacts for dispatch). */
  @Column({ type: 'jsonb' }) resources!: Record<string, unknown>;
  /** The workflow input, to start the workflow again if its first start was interrupted. */
  @Column({ type: 'jsonb' }) input!: Record<string, unknown>;
  @Column({ type: 'jsonb', default: () => `'{}'` }) counts!: Record<string, number>;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true }) completedAt!: Date | null;
}
