import { Inject, Injectable } from '@nestjs/common';
import { log } from '@temporalio/activity';
import { Client } from '@temporalio/client';
import { EnrolmentService } from '../../libs/observation/enrolment.service';
import { LedgerImports } from '../../libs/observation/ledger-imports';
import { ImportJobRepository } from '../../libs/persistence/observation/import-job.repository';
import { ObservationRepository } from '../../libs/persistence/observation/observation.repository';
import { heartbeating } from '../../libs/temporal/heartbeat';
import { runningWorkflowIds, StartOutcome } from '../../libs/temporal/start-once';
import { inParallel } from '../../libs/domain/in-parallel';
import { TEMPORAL_CLIENT } from '../../libs/temporal/temporal.module';
import { ledgerImportWorkflowId } from '../../workflows/observation/ledger-import.messages';
import { observationWorkflowId } from '../../workflows/observation/observation.messages';
import { shiftWorkflowId } from '../../workflows/roster/shift.messages';
import { transferRunWorkflowId } from '../../workflows/transfer/transfer.messages';
import { TransferRunRepository } from '../../libs/persistence/transfer/transfer-run.repository';
import { TransferRunLauncher } from '../../libs/transfer/run-launcher';
import { ShiftFollower } from '../../libs/roster/shift-follower';
import { ShiftLauncher, START_HORIZON_MS } from '../../libs/roster/shift-launcher';

/** What one reconciler pass did for one kind of record, by workflow id. */
export interface Reconciled {
  /** Workflows it started: their records had none. */
  started: string[];
  /** Records still open whose workflow has closed: not run again, left for a person to look at. */
  closed: string[];
  /** Running workflows told of a change to their record that was committed without reaching them (shifts). */
  told?: string[];
}

/**
 * A record younger than this may still be starting its own workflow (the request that made it is
 * in flight), so the reconciler leaves it alone until the next pass.
 */
export const RECONCILE_GRACE_SECONDS = 60;

/** Starts the reconciler has in flight at once. */
const STARTS_IN_FLIGHT = 8;

interface Candidate {
  workflowId: string;
  start: () => Promise<StartOutcome>;
}

/** The reconciler's activities (workflows/system/reconciler.workflow.ts), one per kind of record. */
@Injectable()
export class ReconcilerActivities {
  constructor(
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    private readonly enrolment: EnrolmentService,
    private readonly shifts: ShiftLauncher,
    private readonly follower: ShiftFollower,
    private readonly imports: LedgerImports,
    private readonly observations: ObservationRepository,
    private readonly importJobs: ImportJobRepository,
    private readonly transferRuns: TransferRunRepository,
    private readonly transferRunLauncher: TransferRunLauncher,
  ) {}

  reconcileObservations(): Promise<Reconciled> {
    return heartbeating(async () => {
      const numbers = await this.observations.openStartedBefore(RECONCILE_GRACE_SECONDS);
      return this.startMissing(
        'observationWorkflow',
        numbers.map((number) => ({ workflowId: observationWorkflowId(number), start: async () => this.enrolment.start(await this.enrolment.inputOf(number)) })),
      );
    });
  }

  reconcileTransferRuns(): Promise<Reconciled> {
    return heartbeating(async () => {
      const ids = await this.transferRuns.openIds(RECONCILE_GRACE_SECONDS);
      return this.startMissing(
        'transferRunWorkflow',
        ids.map((id) => ({ workflowId: transferRunWorkflowId(id), start: () => this.transferRunLauncher.startRecorded(id) })),
      );
    });
  }

  /**
   * Published shifts starting within the start horizon whose workflow was never started (their
   * publishing's start failed); running shifts not told of a reassignment or cancellation committed
   * to their rows (the telling after the commit failed).
   */
  reconcileShifts(): Promise<Reconciled> {
    return heartbeating(async () => {
      const now = Date.now();
      const started = (await this.shifts.startDue(this.client, { now, until: now + START_HORIZON_MS })).map(shiftWorkflowId);
      for (const workflowId of started) logStarted(workflowId);
      const told = (await this.follower.tellUntold(RECONCILE_GRACE_SECONDS)).map(shiftWorkflowId);
      for (const workflowId of told) log.info('reconciler: told a running workflow of its record’s change', { recordWorkflowId: workflowId });
      return { started, closed: [], told };
    });
  }

  /** Imports whose workflow never started; one whose workflow closed early is failed, so its uploader hears of it. */
  reconcileImports(): Promise<Reconciled> {
    return heartbeating(async () => {
      const ids = await this.importJobs.runningBefore(RECONCILE_GRACE_SECONDS);
      const reconciled = await this.startMissing(
        'ledgerImportWorkflow',
        ids.map((id) => ({ workflowId: ledgerImportWorkflowId(id), start: () => this.imports.start(id) })),
      );
      for (const id of ids.filter((id) => reconciled.closed.includes(ledgerImportWorkflowId(id)))) {
        await this.importJobs.close(id, 'the import’s workflow ended before every row was done; upload the file again to resume');
      }
      return reconciled;
    });
  }

  private async startMissing(workflowType: string, candidates: Candidate[]): Promise<Reconciled> {
    const running = await runningWorkflowIds(this.client, workflowType);
    const reconciled: Reconciled = { started: [], closed: [] };
    // A few at once: after an outage there may be thousands, and each start is a round trip.
    await inParallel(
      candidates.filter((c) => !running.has(c.workflowId)),
      STARTS_IN_FLIGHT,
      async ({ workflowId, start }) => {
        const outcome = await start();
        if (outcome === 'started') {
          logStarted(workflowId);
          reconciled.started.push(workflowId);
        } else if (outcome === 'closed') {
          log.warn('reconciler: an open record’s workflow has closed; not run again', { recordWorkflowId: workflowId });
          reconciled.closed.push(workflowId);
        }
      },
    );
    return reconciled;
  }
}

function logStarted(workflowId: string): void {
  log.info('reconciler: started the workflow of an open record that had none', { recordWorkflowId: workflowId });
}
