import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../../../libs/auth/roles.decorator';
import { ComponentHealth, HealthReport, HealthService } from './health.service';

class ComponentHealthDto implements ComponentHealth {
  @ApiProperty({ enum: ['up', 'down'] }) status!: 'up' | 'down';
  @ApiPropertyOptional({ description: 'why it is down' }) detail?: string;
}

class WorkerHealthDto extends ComponentHealthDto {
  @ApiPropertyOptional({ description: 'workers polling the task queue' }) pollers?: number;
}

class HealthDto implements HealthReport {
  @ApiProperty({ enum: ['ok', 'unavailable'] }) status!: 'ok' | 'unavailable';
  @ApiProperty({ type: ComponentHealthDto }) temporal!: ComponentHealthDto;
  @ApiProperty({ type: ComponentHealthDto }) database!: ComponentHealthDto;
  @ApiProperty({ type: WorkerHealthDto }) worker!: WorkerHealthDto;
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @Public()
  @ApiOkResponse({ type: HealthDto, description: 'Temporal, PostgreSQL and a worker are all up' })
  @ApiServiceUnavailableResponse({ type: HealthDto, description: 'One of them is down; the body says which and why' })
  async check(@Res({ passthrough: true }) response: Response): Promise<HealthReport> {
    const report = await this.health.check();
    if (report.status !== 'ok') response.status(503);
    return report;
  }
}
