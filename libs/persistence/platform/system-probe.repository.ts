import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Written by the system-probe workflow's activity: proof that API → Temporal → worker → PostgreSQL works (table `system_probe`). */
export interface SystemProbeRow {
  workflowId: string;
  requestedBy: string;
  writtenAt: Date;
  workerIdentity: string;
}

/** Every statement on `system_probe`. */
@Injectable()
export class SystemProbeRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** One row per probe workflow: a retried activity overwrites its own. */
  async record(probe: SystemProbeRow): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO system_probe (workflow_id, requested_by, written_at, worker_identity) VALUES ($1, $2, $3, $4)
       ON CONFLICT (workflow_id) DO UPDATE SET requested_by = EXCLUDED.requested_by, written_at = EXCLUDED.written_at, worker_identity = EXCLUDED.worker_identity`,
      [probe.workflowId, probe.requestedBy, probe.writtenAt, probe.workerIdentity],
    );
  }
}
