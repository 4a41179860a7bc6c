import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../../libs/config/config';
import { APP_CONFIG } from '../../../libs/config/config.module';
import { within } from '../../../libs/domain/time';
import { TEMPORAL_CLIENT } from '../../../libs/temporal/temporal.module';
import { scrapeWorker } from '../metrics/worker-metrics';

export interface ComponentHealth {
  status: 'up' | 'down';
  detail?: string;
}

export interface HealthReport {
  status: 'ok' | 'unavailable';
  temporal: ComponentHealth;
  database: ComponentHealth;
  worker: ComponentHealth & { pollers?: number };
}

/** A worker counts as alive if it polled the task queue within this window. */
const WORKER_POLL_WINDOW_MS = 90_000;

@Injectable()
export class HealthService {
  constructor(
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async check(): Promise<HealthReport> {
    const [temporalHealth, database, worker] = await Promise.all([this.checkTemporal(), this.checkDatabase(), this.checkWorker()]);
    const ok = temporalHealth.status === 'up' && database.status === 'up' && worker.status === 'up';
    return { status: ok ? 'ok' : 'unavailable', temporal: temporalHealth, database, worker };
  }

  private async checkTemporal(): Promise<ComponentHealth> {
    try {
      await within(this.client.workflowService.getSystemInfo({}), 3_000, 'Temporal frontend');
      return { status: 'up', detail: `${this.config.temporal.address} namespace ${this.config.temporal.namespace}` };
    } catch (error) {
      return { status: 'down', detail: `Temporal at ${this.config.temporal.address}: ${(error as Error).message}` };
    }
  }

  private async checkDatabase(): Promise<ComponentHealth> {
    try {
      await within(this.dataSource.query('SELECT 1'), 3_000, 'PostgreSQL');
      return { status: 'up' };
    } catch (error) {
      return { status: 'down', detail: `PostgreSQL: ${(error as Error).message}` };
    }
  }

  /**
   * Up when a worker polled the task queue within the window and, where the API is paired with a
   * worker process (EPI_WORKER_METRICS_URL, as under `npm start`), that process answers and polls.
   * The poll window alone would count a killed worker as up for 90 s; the pairing sees it at once.
   */
  private async checkWorker(): Promise<ComponentHealth & { pollers?: number }> {
    const [queue, paired] = await Promise.all([this.checkTaskQueue(), this.checkPairedWorker()]);
    if (queue.status === 'down' || !paired) return queue;
    return paired.status === 'up' ? queue : { ...queue, ...paired };
  }

  private async checkPairedWorker(): Promise<ComponentHealth | undefined> {
    const url = this.config.workerMetricsUrl;
    if (!url) return undefined;
    try {
      const metrics = await scrapeWorker(url);
      // The SDK reports its pollers once they poll: before that the process is up but not yet working.
      if (!/^temporal_num_pollers\{[^}]*poller_type="workflow_task"/m.test(metrics)) return { status: 'down', detail: `the worker at ${url} is starting (not polling yet)` };
      return { status: 'up' };
    } catch (error) {
      return { status: 'down', detail: `the worker at ${url} does not answer: ${(error as Error).message}` };
    }
  }

  private async checkTaskQueue(): Promise<ComponentHealth & { pollers?: number }> {
    try {
      const response = await within(
        this.client.workflowService.describeTaskQueue({
          namespace: this.config.temporal.namespace,
          taskQueue: { name: this.config.temporal.taskQueue },
          taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        }),
        3_000,
        'Temporal task queue',
      );
      const now = Date.now();
      const live = (response.pollers ?? []).filter((p) => {
        const seconds = Number(p.lastAccessTime?.seconds ?? 0);
        return now - seconds * 1000 < WORKER_POLL_WINDOW_MS;
      });
      return live.length > 0
        ? { status: 'up', pollers: live.length }
        : { status: 'down', pollers: 0, detail: `no worker polled task queue "${this.config.temporal.taskQueue}" in the last ${WORKER_POLL_WINDOW_MS / 1000} s` };
    } catch (error) {
      return { status: 'down', detail: `cannot read task queue: ${(error as Error).message}` };
    }
  }
}
