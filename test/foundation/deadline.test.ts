/** The tests' deadlines (test/support/deadline.ts) say what they waited for and why it did not come. */
import { within } from '../support/deadline';

describe('a wait with a deadline', () => {
  it('answers what the work answers in time', async () => {
    await expect(within('a quick answer', 1_000, async () => 42)).resolves.toBe(42);
  });

  it('past the deadline, aborts the work and names what it waited for, with the explanation', async () => {
    let aborted = false;
    const never = (signal: AbortSignal) =>
      new Promise<never>((_, reject) => signal.addEventListener('abort', () => ((aborted = true), reject(new Error('aborted')))));
    await expect(within('the escort boarding T001', 50, never, async () => 'workflow task SCHEDULED (attempt 3)')).rejects.toThrow(
      /^the escort boarding T001: not done in 0\.05 s \(workflow task SCHEDULED \(attempt 3\)\)$/,
    );
    expect(aborted).toBe(true);
  });
});
