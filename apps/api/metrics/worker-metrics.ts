import { Inject, Injectable } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import { AppConfig } from '../../../libs/config/config';
import { APP_CONFIG } from '../../../libs/config/config.module';

const TIMEOUT_MS = 1_000;

/** The worker's exposition text at `url`; throws saying why it could not be read. */
export async function scrapeWorker(url: string | undefined): Promise<string> {
  if (!url) throw new Error('neither EPI_WORKER_METRICS_URL nor WORKER_METRICS_PORT is set');
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    return await response.text();
  } catch (error) {
    // fetch() reports a refused connection as "fetch failed" with the reason in its cause.
    const { message, cause } = error as Error & { cause?: Error };
    throw new Error((cause?.message ? `${message}: ${cause.message}` : message).replace(/\s+/g, ' '));
  }
}

/**
 * The worker's SDK metrics (temporal_workflow_completed, temporal_activity_execution_latency, …),
 * read from EPI_WORKER_METRICS_URL at scrape time so one scrape of the API shows both. A worker that
 * does not answer costs the scrape a comment and epi_worker_metrics_up 0, never the API's own metrics.
 */
@Injectable()
export class WorkerMetrics {
  private readonly up: Gauge;

  constructor(registry: Registry, @Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.up = new Gauge({ name: 'epi_worker_metrics_up', help: '1 if this scrape read the worker SDK metrics appended below, else 0', registers: [registry] });
  }

  /** The worker's exposition text, or a comment line saying why it is missing. */
  async read(): Promise<string> {
    try {
      const text = await scrapeWorker(this.config.workerMetricsUrl);
      this.up.set(1);
      return text.endsWith('\n') ? text : `${text}\n`;
    } catch (error) {
      this.up.set(0);
      return `# worker metrics unavailable: ${(error as Error).message}\n`;
    }
  }
}
