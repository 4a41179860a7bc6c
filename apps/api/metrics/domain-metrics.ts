import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';
import { ObservationRepository, ObservationTotals } from '../../../libs/persistence/observation/observation.repository';
import { DashboardSummary } from '../dashboard/dashboard.responses';
import { DashboardService } from '../dashboard/dashboard.service';

// The metrics of one scrape share one read of each source.
const SNAPSHOT_MS = 1_000;

/**
 * Domain counters and gauges read from PostgreSQL when Prometheus scrapes, so the code that enrols,
 * takes reports and escalates needs no change and every API replica reports the same totals.
 */
@Injectable()
export class DomainMetrics {
  private totals?: { at: number; value: Promise<ObservationTotals | undefined> };
  private summary?: { at: number; value: Promise<DashboardSummary | undefined> };

  constructor(
    registry: Registry,
    private readonly observations: ObservationRepository,
    private readonly dashboard: DashboardService,
  ) {
    const self = this;
    // A failed read keeps the last values and says so here, rather than failing the whole scrape.
    new Gauge({
      name: 'epi_metrics_database_up',
      help: '1 if this scrape read the domain metrics from PostgreSQL, 0 if they are stale',
      registers: [registry],
      async collect() {
        const [totals, summary] = await Promise.all([self.readTotals(), self.readSummary()]);
        this.set(totals && summary ? 1 : 0);
      },
    });
    new Counter({
      name: 'epi_observations_enrolled_total',
      help: 'Observations ever enrolled, by category',
      labelNames: ['category'],
      registers: [registry],
      async collect() {
        const totals = await self.readTotals();
        if (totals) setAll(this, totals.enrolled, 'category');
      },
    });
    new Counter({
      name: 'epi_reports_received_total',
      help: 'Temperature reports recorded in tracking logs',
      registers: [registry],
      async collect() {
        const totals = await self.readTotals();
        if (!totals) return;
        this.reset();
        this.inc(totals.reports);
      },
    });
    new Counter({
      name: 'epi_escalations_opened_total',
      help: 'Escalations ever opened, by kind',
      labelNames: ['kind'],
      registers: [registry],
      async collect() {
        const totals = await self.readTotals();
        if (totals) setAll(this, totals.escalations, 'kind');
      },
    });
    new Gauge({
      name: 'epi_observations',
      help: 'Observations now, by status',
      labelNames: ['status'],
      registers: [registry],
      async collect() {
        const summary = await self.readSummary();
        for (const [status, n] of Object.entries(summary?.observations.byStatus ?? {})) this.set({ status }, n);
      },
    });
    new Gauge({
      name: 'epi_observations_due_today',
      help: 'Open observations with a report owed today',
      registers: [registry],
      async collect() {
        const summary = await self.readSummary();
        if (summary) this.set(summary.observations.dueToday);
      },
    });
    new Gauge({
      name: 'epi_observations_overdue',
      help: 'Open observations with an open missed-report escalation',
      registers: [registry],
      async collect() {
        const summary = await self.readSummary();
        if (summary) this.set(summary.observations.overdue);
      },
    });
    new Gauge({
      name: 'epi_escalations_unresolved',
      help: 'Escalations not yet resolved, by state',
      labelNames: ['state'],
      registers: [registry],
      async collect() {
        const summary = await self.readSummary();
        for (const [state, n] of Object.entries(summary?.escalations.byState ?? {})) this.set({ state }, n);
      },
    });
  }

  private readTotals(): Promise<ObservationTotals | undefined> {
    if (!this.totals || Date.now() - this.totals.at > SNAPSHOT_MS) this.totals = { at: Date.now(), value: this.guarded(this.observations.totals()) };
    return this.totals.value;
  }

  private readSummary(): Promise<DashboardSummary | undefined> {
    if (!this.summary || Date.now() - this.summary.at > SNAPSHOT_MS) this.summary = { at: Date.now(), value: this.guarded(this.dashboard.summary()) };
    return this.summary.value;
  }

  private guarded<T>(read: Promise<T>): Promise<T | undefined> {
    return read.catch(() => undefined);
  }
}

/** A counter whose value is a total read from the database: replaced, not added to, at each scrape. */
function setAll<L extends string>(counter: Counter<L>, totals: Record<string, number>, label: L): void {
  counter.reset();
  for (const [value, n] of Object.entries(totals)) counter.inc({ [label]: value } as Record<L, string>, n);
}
