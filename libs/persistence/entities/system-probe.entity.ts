import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Written by the system-probe workflow's activity: proof that API → Temporal → worker → PostgreSQL works. */
@Entity('system_probe')
export class SystemProbeEntity {
  @PrimaryColumn({ name: 'workflow_id' }) workflowId!: string;
  @Column({ name: 'requested_by' }) requestedBy!: string;
  @Column({ name: 'written_at', type: 'timestamptz' }) writtenAt!: Date;
  @Column({ name: 'worker_identity' }) workerIdentity!: string;
}
