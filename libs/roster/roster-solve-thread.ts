/**
 * The roster solve in a thread of its own: a district's roster (10,878 seats, 1,000 staff) takes
 * about a second of CPU on a quiet machine and several times that under load, which on the worker's
 * event loop would hold every activity and workflow task the worker runs meanwhile.
 */
import { serveInThread, WorkThread } from '../threads/work-thread';
import { RosterSolution, solveRoster, SolveRosterInput } from './roster-solver';

const solver = new WorkThread<SolveRosterInput, RosterSolution>(__filename);

/** `solveRoster` in the solving thread; a solve waits for the one before it. */
export function solveRosterOffThread(input: SolveRosterInput): Promise<RosterSolution> {
  return solver.run(input);
}

serveInThread(__filename, solveRoster);
