import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Registry } from 'prom-client';

@ApiTags('metrics')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly registry: Registry) {}

  @Get()
  @ApiOperation({ summary: 'Prometheus text format: process, HTTP and domain metrics' })
  async metrics(@Res() response: Response) {
    const body = await this.registry.metrics();
    response.set('Content-Type', this.registry.contentType).send(body);
  }
}
