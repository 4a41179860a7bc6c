/** PostgreSQL's unique_violation. */
const UNIQUE_VIOLATION = '23505';

/** A row would repeat a unique value (an id, a plate); `detail` is PostgreSQL's, naming the key and value. */
export class DuplicateKeyError extends Error {
  constructor(readonly detail: string) {
    super(detail);
    this.name = 'DuplicateKeyError';
  }
}

/** Runs a write, turning PostgreSQL's unique violation into a DuplicateKeyError; other errors propagate. */
export async function refusingDuplicates<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    const { code, detail } = error as { code?: string; detail?: string };
    if (code === UNIQUE_VIOLATION) throw new DuplicateKeyError(detail ?? 'already exists');
    throw error;
  }
}
