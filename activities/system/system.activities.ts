import { Injectable } from '@nestjs/common';
import * as os from 'node:os';
import { SystemProbeRepository } from '../../libs/persistence/platform/system-probe.repository';
import type { SystemProbeResult } from '../../workflows/system/system-probe.workflow';

@Injectable()
export class SystemActivities {
  constructor(private readonly probes: SystemProbeRepository) {}

  async recordProbe(input: { workflowId: string; requestedBy: string }): Promise<SystemProbeResult> {
    const probe = { workflowId: input.workflowId, requestedBy: input.requestedBy, writtenAt: new Date(), workerIdentity: `${process.pid}@${os.hostname()}` };
    await this.probes.record(probe);
    return { workflowId: probe.workflowId, workerIdentity: probe.workerIdentity, writtenAt: probe.writtenAt.toISOString() };
  }
}
