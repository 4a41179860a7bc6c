import { Inject, Injectable } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { StartOutcome, startOnce } from '../temporal/start-once';
import { TEMPORAL_CLIENT } from '../temporal/temporal.module';
import { stayWorkflowId } from '../../workflows/observation/quarantine-stay.messages';
import { quarantineStayWorkflow } from '../../workflows/observation/quarantine-stay.workflow';

/** Starts a hotel admission's quarantine stay, once per admission however often its hand-over is retried. */
@Injectable()
export class StayLauncher {
  constructor(
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  start(stayId: string): Promise<StartOutcome> {
    return startOnce(this.client, quarantineStayWorkflow, { workflowId: stayWorkflowId(stayId), taskQueue: this.config.temporal.taskQueue, args: [{ stayId }] });
  }
}
