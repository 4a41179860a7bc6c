import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { Registry } from 'prom-client';
import { DashboardModule } from '../dashboard/dashboard.module';
import { DomainMetrics } from './domain-metrics';
import { HttpMetricsMiddleware } from './http-metrics.middleware';
import { MetricsController } from './metrics.controller';
import { createMetricsRegistry } from './metrics.registry';
import { WorkerMetrics } from './worker-metrics';

/** GET /metrics (with the worker's SDK metrics) and the HTTP metrics of every route. */
@Module({
  imports: [DashboardModule],
  controllers: [MetricsController],
  providers: [{ provide: Registry, useFactory: createMetricsRegistry }, DomainMetrics, WorkerMetrics],
})
export class MetricsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('*');
  }
}
