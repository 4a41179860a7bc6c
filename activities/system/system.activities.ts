import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import * as os from 'node:os';
import { Repository } from 'typeorm';
import { SystemProbeEntity } from '../../libs/persistence/entities';
import type { SystemProbeResult } from '../../workflows/system/system-probe.workflow';

@Injectable()
export class SystemActivities {
  constructor(@InjectRepository(SystemProbeEntity) private readonly probes: Repository<SystemProbeEntity>) {}

  async recordProbe(input: { workflowId: string; requestedBy: string }): Promise<SystemProbeResult> {
    const row = this.probes.create({
      workflowId: input.workflowId,
      requestedBy: input.requestedBy,
      writtenAt: new Date(),
      workerIdentity: `${process.pid}@${os.hostname()}`,
    });
    // Upsert: a retried activity leaves one row.
    await this.probes.upsert(row, ['workflowId']);
    return { workflowId: row.workflowId, workerIdentity: row.workerIdentity, writtenAt: row.writtenAt.toISOString() };
  }
}
