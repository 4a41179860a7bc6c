import { Inject, Injectable, Logger } from '@nestjs/common';
import { Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { RosterShiftRepository, UntoldShift } from '../persistence/roster/roster-shift.repository';
import { TEMPORAL_CLIENT } from '../temporal/temporal.module';
import { endShiftUpdate, reassignUpdate, shiftWorkflowId } from '../../workflows/roster/shift.messages';

/**
 * Running shift workflows follow their rows. A publishing or an approval commits a new holder or a
 * cancellation to a shift whose workflow runs, marking it untold in the same transaction
 * (RosterShiftRepository.markUntold); then it tells the workflow (a reassign or an end update) and
 * unmarks the row. A telling that fails (Temporal unavailable) leaves the mark, and the reconciler
 * tells it later, so a change committed always reaches its workflow. A workflow that refuses the
 * change for good (the shift worked or ended meanwhile) is unmarked too, and the refusal logged.
 */
@Injectable()
export class ShiftFollower {
  private readonly logger = new Logger('shifts');

  constructor(
    private readonly shifts: RosterShiftRepository,
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
  ) {}

  /** Tells each shift's workflow its row's change, one after another; answers the shifts told (the others stay marked, for the reconciler). */
  async tell(changes: UntoldShift[]): Promise<string[]> {
    const told: string[] = [];
    for (const change of changes) if (await this.tellOne(change)) told.push(change.id);
    return told;
  }

  /** The reconciler's part: the changes still untold that were made before `graceSeconds` ago (younger ones may be in their own telling). Answers those told. */
  async tellUntold(graceSeconds: number): Promise<string[]> {
    return this.tell(await this.shifts.untold(new Date(Date.now() - graceSeconds * 1000)));
  }

  private async tellOne(change: UntoldShift): Promise<boolean> {
    const handle = this.client.workflow.getHandle(shiftWorkflowId(change.id));
    try {
      if (change.status === 'cancelled') await handle.executeUpdate(endShiftUpdate, { args: [change.told] });
      else await handle.executeUpdate(reassignUpdate, { args: [{ staffId: change.staffId, ...change.told }] });
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) {
        this.logger.warn(`shift ${change.id} did not take its roster's change (${change.status}${change.staffId ? `, ${change.staffId}` : ''}): ${error.cause?.message ?? error.message}`);
      } else if (!(error instanceof WorkflowNotFoundError)) {
        this.logger.warn(`shift ${change.id} not told of its roster's change yet, the reconciler will: ${(error as Error).message}`);
        return false;
      }
    }
    await this.shifts.markTold(change);
    return true;
  }
}
