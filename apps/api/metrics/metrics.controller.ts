import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Registry } from 'prom-client';
import { Public } from '../../../libs/auth/roles.decorator';
import { WorkerMetrics } from './worker-metrics';

@ApiTags('metrics')
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly registry: Registry,
    private readonly workerMetrics: WorkerMetrics,
  ) {}

  /** Public: Prometheus scrapes without a login. */
  @Get()
  @Public()
  @ApiOperation({ summary: "Prometheus text format: process, HTTP and domain metrics, then the worker's Temporal SDK metrics" })
  @ApiOkResponse({ content: { 'text/plain': { schema: { type: 'string' } } }, description: 'the Prometheus exposition format' })
  async metrics(@Res() response: Response) {
    // The worker is read first: its outcome is the epi_worker_metrics_up this scrape reports.
    const worker = await this.workerMetrics.read();
    const body = await this.registry.metrics();
    response.set('Content-Type', this.registry.contentType).send(`${body}${worker}`);
  }
}
