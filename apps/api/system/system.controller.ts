import { NoJurisdiction, Roles } from '../../../libs/auth/roles.decorator';
import { Body, Controller, Get, Inject, Param, Post } from '@nestjs/common';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { Client } from '@temporalio/client';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../../../libs/config/config';
import { APP_CONFIG } from '../../../libs/config/config.module';
import { TEMPORAL_CLIENT } from '../../../libs/temporal/temporal.module';
import { SystemProbeResult, systemProbeWorkflow } from '../../../workflows/system/system-probe.workflow';

class ProbeRequest {
  @ApiProperty({ example: 'ops-on-call' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  requestedBy!: string;
}

@ApiTags('system')
@Controller('system/probe')
@Roles('admin', 'supervisor')
@NoJurisdiction()
export class SystemController {
  constructor(
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Runs a workflow whose activity writes a row to PostgreSQL, and waits for its result. */
  @Post()
  async probe(@Body() body: ProbeRequest): Promise<SystemProbeResult> {
    return this.client.workflow.execute(systemProbeWorkflow, {
      workflowId: `system-probe-${randomUUID()}`,
      taskQueue: this.config.temporal.taskQueue,
      args: [{ requestedBy: body.requestedBy }],
      workflowExecutionTimeout: '1 minute',
    });
  }

  @Get(':workflowId')
  async result(@Param('workflowId') workflowId: string): Promise<SystemProbeResult> {
    return this.client.workflow.getHandle(workflowId).result();
  }
}
