import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Rows untouched this long (and no lock in force) are forgotten: "in a row" means within a day. */
const FORGET_AFTER = `interval '1 day'`;

/**
 * Every statement on `login_lockout` (failed logins per username and address, and the lock they end
 * in) and `login_address` (failed logins per address, in a window). Each count and its lock move in
 * one statement, and no statement clears a lock in force, so concurrent attempts cannot race a lock away.
 */
@Injectable()
export class LoginRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The lock in force for this username here, and the end of the address's throttle window if it has `maxFailures` in it. */
  async refusal(username: string, address: string, limits: { maxFailures: number; windowSeconds: number }): Promise<{ lockedUntil: Date | null; throttledUntil: Date | null }> {
    const [row] = await this.dataSource.query(
      `SELECT (SELECT locked_until FROM login_lockout WHERE username = lower($1) AND address = $2 AND locked_until > now()) AS "lockedUntil",
              (SELECT window_started_at + make_interval(secs => $4) FROM login_address
                WHERE address = $2 AND failures >= $3 AND window_started_at > now() - make_interval(secs => $4)) AS "throttledUntil"`,
      [username, address, limits.maxFailures, limits.windowSeconds],
    );
    return row;
  }

  /**
   * Counts a failure for the username at the address and for the address (its window `lockSeconds`
   * long), locking the username there for `lockSeconds` at `maxFailures`, and forgets old rows;
   * answers the lock in force, if any.
   */
  async countFailure(username: string, address: string, limits: { maxFailures: number; lockSeconds: number }): Promise<Date | null> {
    const [row] = await this.dataSource.query(
      `WITH account AS (
         INSERT INTO login_lockout AS l (username, address, failures, locked_until)
         VALUES (lower($1), $2, 1, CASE WHEN 1 >= $3 THEN now() + make_interval(secs => $4) END)
         ON CONFLICT (username, address) DO UPDATE SET
           failures = CASE WHEN l.locked_until > now() THEN l.failures WHEN l.failures + 1 >= $3 THEN 0 ELSE l.failures + 1 END,
           locked_until = CASE WHEN l.locked_until > now() THEN l.locked_until WHEN l.failures + 1 >= $3 THEN now() + make_interval(secs => $4) END,
           updated_at = now()
         RETURNING locked_until),
       from_address AS (
         INSERT INTO login_address AS a (address, window_started_at, failures) VALUES ($2, now(), 1)
         ON CONFLICT (address) DO UPDATE SET
           window_started_at = CASE WHEN a.window_started_at > now() - make_interval(secs => $4) THEN a.window_started_at ELSE now() END,
           failures = CASE WHEN a.window_started_at > now() - make_interval(secs => $4) THEN a.failures + 1 ELSE 1 END),
       forgotten AS (
         DELETE FROM login_lockout WHERE updated_at < now() - ${FORGET_AFTER} AND coalesce(locked_until <= now(), true) AND (username, address) <> (lower($1), $2)),
       forgotten_addresses AS (
         DELETE FROM login_address WHERE window_started_at < now() - ${FORGET_AFTER} - make_interval(secs => $4) AND address <> $2)
       SELECT locked_until AS "lockedUntil" FROM account`,
      [username, address, limits.maxFailures, limits.lockSeconds],
    );
    return row?.lockedUntil ?? null;
  }

  /** Starts the username's count at the address again, unless a lock is in force there: answers that lock. */
  async clearFailures(username: string, address: string): Promise<Date | null> {
    const [row] = await this.dataSource.query(
      `WITH cleared AS (DELETE FROM login_lockout WHERE username = lower($1) AND address = $2 AND coalesce(locked_until <= now(), true))
       SELECT locked_until AS "lockedUntil" FROM login_lockout WHERE username = lower($1) AND address = $2 AND locked_until > now()`,
      [username, address],
    );
    return row?.lockedUntil ?? null;
  }

  /** Every lock and count of the username, from every address. */
  async unlock(username: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM login_lockout WHERE username = lower($1)`, [username]);
  }
}
