import type { EntityManager } from 'typeorm';
import type { TrackingEntry } from '../../workflows/observation/tracking-entry';

/** Appends lines to an observation's tracking log in the caller's transaction; a line already there is kept. */
export async function appendTrackingLog(manager: EntityManager, number: string, entries: TrackingEntry[]): Promise<void> {
  if (!entries.length) return;
  const insert = trackingLogInsert(number, entries);
  await manager.query(insert.sql, insert.values);
}

/**
 * The statement appending the lines, its parameters numbered after `firstParameter - 1` others, so
 * that a caller can make it part of a larger statement (one round trip instead of two).
 */
export function trackingLogInsert(number: string, entries: TrackingEntry[], firstParameter = 1): { sql: string; values: unknown[] } {
  const values: unknown[] = [];
  const rows = entries.map((t, i) => {
    values.push(number, new Date(t.at), t.day, t.kind, t.slotStart ? new Date(t.slotStart) : null, t.temperature ?? null, JSON.stringify(t.detail), t.dedupKey);
    const b = firstParameter - 1 + i * 8;
    return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7}::jsonb, $${b + 8})`;
  });
  return {
    sql: `INSERT INTO tracking_log (observation_number, at, day, kind, slot_start, temperature, detail, dedup_key) VALUES ${rows.join(', ')} ON CONFLICT (dedup_key) DO NOTHING`,
    values,
  };
}
