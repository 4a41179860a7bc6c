import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Context, log } from '@temporalio/activity';
import { Client } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../libs/config/config';
import { APP_CONFIG } from '../../libs/config/config.module';
import { EnrolmentService } from '../../libs/observation/enrolment.service';
import { LedgerImports } from '../../libs/observation/ledger-imports';
import { runningWorkflowIds, StartOutcome } from '../../libs/temporal/start-once';
import { TEMPORAL_CLIENT } from '../../libs/temporal/temporal.module';
import { ledgerImportWorkflowId } from '../../workflows/observation/ledger-import.messages';
import { observationWorkflowId } from '../../workflows/observation/observation.messages';
import { shiftWorkflowId } from '../../workflows/roster/shift.messages';
import type { TransferRunInput } from '../../workflows/transfer/transfer.messages';
import { transferRunWorkflowId } from '../../workflows/transfer/transfer.messages';
import { ShiftLauncher, START_HORIZON_MS } from '../../libs/roster/shift-launcher';
import { startTransferRun } from '../transfer/run-launcher';

/** What one reconciler pass did for one kind of record, by workflow id. */
export interface Reconciled {
  /** Workflows it started: their records had none. */
  started: string[];
  /** Records still open whose workflow has closed: not run again, left for a person to look at. */
  closed: string[];
}

/**
 * A record younger than this may still be starting its own workflow (the request that made it is
 * in flight), so the reconciler leaves it alone until the next pass.
 */
export const RECONCILE_GRACE_SECONDS = 60;

interface Candidate {
  workflowId: string;
  start: () => Promise<StartOutcome>;
}

/** The reconciler's activities (workflows/system/reconciler.workflow.ts), one per kind of record. */
@Injectable()
export class ReconcilerActivities {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly enrolment: EnrolmentService,
    private readonly shifts: ShiftLauncher,
    private readonly imports: LedgerImports,
  ) {}

  async reconcileObservations(): Promise<Reconciled> {
    const rows: Array<{ number: string }> = await this.dataSource.query(
      `SELECT number FROM observation WHERE status IN ('active', 'escalated') AND started_at < now() - make_interval(secs => $1)`,
      [RECONCILE_GRACE_SECONDS],
    );
    return this.startMissing(
      'observationWorkflow',
      rows.map(({ number }) => ({ workflowId: observationWorkflowId(number), start: async () => this.enrolment.start(await this.enrolment.inputOf(number)) })),
    );
  }

  async reconcileTransferRuns(): Promise<Reconciled> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM transfer_run WHERE status IN ('planned', 'running') AND created_at < now() - make_interval(secs => $1)`,
      [RECONCILE_GRACE_SECONDS],
    );
    return this.startMissing(
      'transferRunWorkflow',
      rows.map(({ id }) => ({
        workflowId: transferRunWorkflowId(id),
        start: async () => {
          const [run] = await this.dataSource.query(`SELECT input FROM transfer_run WHERE id = $1`, [id]);
          return startTransferRun(this.client, this.config.temporal.taskQueue, run.input as TransferRunInput);
        },
      })),
    );
  }

  /** Published shifts starting within the start horizon whose workflow was never started (their publishing's start failed). */
  async reconcileShifts(): Promise<Reconciled> {
    const now = Date.now();
    const started = (await this.shifts.startDue(this.client, { now, until: now + START_HORIZON_MS })).map(shiftWorkflowId);
    for (const workflowId of started) logStarted(workflowId);
    return { started, closed: [] };
  }

  /** Imports whose workflow never started; one whose workflow closed early is failed, so its uploader hears of it. */
  async reconcileImports(): Promise<Reconciled> {
    const ids = await this.imports.running(RECONCILE_GRACE_SECONDS);
    const reconciled = await this.startMissing(
      'ledgerImportWorkflow',
      ids.map((id) => ({ workflowId: ledgerImportWorkflowId(id), start: () => this.imports.start(id) })),
    );
    for (const id of ids.filter((id) => reconciled.closed.includes(ledgerImportWorkflowId(id)))) {
      await this.imports.close(id, 'the import’s workflow ended before every row was done; upload the file again to resume');
    }
    return reconciled;
  }

  private async startMissing(workflowType: string, candidates: Candidate[]): Promise<Reconciled> {
    const running = await runningWorkflowIds(this.client, workflowType);
    const reconciled: Reconciled = { started: [], closed: [] };
    for (const { workflowId, start } of candidates.filter((c) => !running.has(c.workflowId))) {
      const outcome = await start();
      if (outcome === 'started') {
        logStarted(workflowId);
        reconciled.started.push(workflowId);
      } else if (outcome === 'closed') {
        log.warn('reconciler: an open record’s workflow has closed; not run again', { recordWorkflowId: workflowId });
        reconciled.closed.push(workflowId);
      }
      Context.current().heartbeat();
    }
    return reconciled;
  }
}

function logStarted(workflowId: string): void {
  log.info('reconciler: started the workflow of an open record that had none', { recordWorkflowId: workflowId });
}
