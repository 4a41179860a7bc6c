import type { EntityManager } from 'typeorm';
import type { TrackingEntry } from '../../workflows/observation/tracking-entry';

/** Appends lines to an observation's tracking log in the caller's transaction; a line already there is kept. */
export async function appendTrackingLog(manager: EntityManager, number: string, entries: TrackingEntry[]): Promise<void> {
  if (!entries.length) return;
  const values: unknown[] = [];
  const rows = entries.map((t, i) => {
    values.push(number, new Date(t.at), t.day, t.kind, t.slotStart ? new Date(t.slotStart) : null, t.temperature ?? null, JSON.stringify(t.detail), t.dedupKey);
    const b = i * 8;
    return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7}::jsonb, $${b + 8})`;
  });
  await manager.query(
    `INSERT INTO tracking_log (observation_number, at, day, kind, slot_start, temperature, detail, dedup_key) VALUES ${rows.join(', ')} ON CONFLICT (dedup_key) DO NOTHING`,
    values,
  );
}
