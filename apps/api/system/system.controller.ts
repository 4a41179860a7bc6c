import { NoJurisdiction, Roles } from '../../../libs/auth/roles.decorator';
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Client, isGrpcDeadlineError, WorkflowNotFoundError } from '@temporalio/client';
import type { Response } from 'express';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../../../libs/config/config';
import { APP_CONFIG } from '../../../libs/config/config.module';
import { notFound } from '../../../libs/domain/errors';
import { TEMPORAL_CLIENT } from '../../../libs/temporal/temporal.module';
import { SystemProbeResult, systemProbeWorkflow } from '../../../workflows/system/system-probe.workflow';

const PROBE_ID = /^system-probe-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** How long `GET /system/probe/:workflowId` waits for a running probe before answering that it still runs. */
export const PROBE_RESULT_WAIT_MS = 5_000;

class ProbeRequest {
  @ApiProperty({ example: 'ops-on-call' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  requestedBy!: string;
}

class ProbeResultDto implements SystemProbeResult {
  @ApiProperty({ example: 'system-probe-0b8e4c52-6f1e-4f0e-9a57-3c1f2d9e8a10' }) workflowId!: string;
  @ApiProperty({ description: 'the worker whose activity wrote the row: `<pid>@<host>`' }) workerIdentity!: string;
  @ApiProperty({ format: 'date-time', description: 'when the row was written' }) writtenAt!: string;
}

class ProbeRunningDto {
  @ApiProperty() workflowId!: string;
  @ApiProperty({ enum: ['running'] }) status!: 'running';
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

  @Post()
  @ApiOperation({ summary: 'Runs a workflow whose activity writes a row to PostgreSQL, and waits for its result' })
  @ApiCreatedResponse({ type: ProbeResultDto })
  async probe(@Body() body: ProbeRequest): Promise<SystemProbeResult> {
    return this.client.workflow.execute(systemProbeWorkflow, {
      workflowId: `system-probe-${randomUUID()}`,
      taskQueue: this.config.temporal.taskQueue,
      args: [{ requestedBy: body.requestedBy }],
      workflowExecutionTimeout: '1 minute',
    });
  }

  /** A probe's result; any other workflow is not found here, and a probe still running is answered as such after a few seconds. */
  @Get(':workflowId')
  @HttpCode(200)
  @ApiOperation({ summary: 'The result of a system probe (202 while it still runs); other workflows are not found here' })
  @ApiOkResponse({ type: ProbeResultDto })
  @ApiAcceptedResponse({ type: ProbeRunningDto, description: 'the probe still runs' })
  async result(@Param('workflowId') workflowId: string, @Res({ passthrough: true }) response: Response): Promise<ProbeResultDto | ProbeRunningDto> {
    const handle = this.client.workflow.getHandle(workflowId);
    try {
      if (!PROBE_ID.test(workflowId) || (await handle.describe()).type !== systemProbeWorkflow.name) throw notFound('system probe', workflowId);
      return await this.client.withDeadline(Date.now() + PROBE_RESULT_WAIT_MS, () => handle.result());
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw notFound('system probe', workflowId);
      if (!isGrpcDeadlineError(error)) throw error;
      response.status(202);
      return { workflowId, status: 'running' };
    }
  }
}
