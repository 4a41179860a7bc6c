import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The observation clock (README "Home observation", cohort work): an observation's check-in
 * reminders and missed-report sweeps are done once per slot for every observation on a clock.
 * `slot_clock` names that clock (the task queue of its workers); NULL keeps the observation's own
 * per-slot timers, as workflows started before the clock have. The two indexes are the clock's two
 * look-ups: the open observations on a clock and policy, and whether one has reported in a slot.
 */
export class ObservationClock1765400000000 implements MigrationInterface {
  name = 'ObservationClock1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE observation ADD COLUMN slot_clock text`);
    await q.query(`CREATE INDEX observation_on_clock ON observation (slot_clock, policy_id, started_at) WHERE status IN ('active', 'escalated', 'awaiting_pickup')`);
    await q.query(`CREATE INDEX tracking_log_slot_report ON tracking_log (observation_number, slot_start) WHERE kind = 'report'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX tracking_log_slot_report`);
    await q.query(`DROP INDEX observation_on_clock`);
    await q.query(`ALTER TABLE observation DROP COLUMN slot_clock`);
  }
}
