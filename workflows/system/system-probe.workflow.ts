import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { SystemActivities } from '../../activities/system/system.activities';

const { recordProbe } = proxyActivities<SystemActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '10 seconds' },
});

export interface SystemProbeResult {
  workflowId: string;
  workerIdentity: string;
  writtenAt: string;
}

/** Proves the chain API → Temporal → worker → PostgreSQL end to end; run by `POST /system/probe`. */
export async function systemProbeWorkflow(input: { requestedBy: string }): Promise<SystemProbeResult> {
  return recordProbe({ workflowId: workflowInfo().workflowId, requestedBy: input.requestedBy });
}
