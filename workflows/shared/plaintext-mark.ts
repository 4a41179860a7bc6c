/**
 * A payload that reached a workflow unencrypted, as the worker's codec hands it on: the value it
 * held, and whether this worker refuses such payloads (EPI_REFUSE_PLAINTEXT_PAYLOADS). Pure: the
 * codec (Node) writes it, the workflow interceptor (sandbox) reads it.
 */
export const PLAINTEXT_MARK = '$epiPlaintextPayload';

export interface PlaintextMark {
  refuse: boolean;
  value?: unknown;
}

export function plaintextMarkOf(arg: unknown): PlaintextMark | undefined {
  return typeof arg === 'object' && arg !== null && PLAINTEXT_MARK in arg ? (arg as Record<string, PlaintextMark>)[PLAINTEXT_MARK] : undefined;
}
