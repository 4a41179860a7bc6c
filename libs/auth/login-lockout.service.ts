import { HttpException, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { isIPv6 } from 'node:net';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';

/** A login refused before its password is looked at: the account is locked there, or the address is throttled. */
export class LoginRefused extends HttpException {
  constructor(
    status: 423 | 429,
    readonly until: Date,
  ) {
    super(
      status === 423
        ? { error: 'locked', message: `too many failed logins: the account is locked until ${until.toISOString()}`, lockedUntil: until.toISOString() }
        : { error: 'throttled', message: `too many failed logins from your address: try again after ${until.toISOString()}`, retryAfter: until.toISOString() },
      status,
    );
  }
}

/**
 * Where a login comes from, as lockouts and throttling count it: the client's address (behind a
 * trusted proxy, the one it forwards), an IPv4-mapped IPv6 address as IPv4, and IPv6 by its /64,
 * the block one client usually holds.
 */
export function loginAddress(request: Pick<Request, 'ip' | 'socket'>): string {
  const ip = (request.ip ?? request.socket?.remoteAddress ?? 'unknown').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  if (!isIPv6(ip)) return ip;
  const [head, tail] = ip.split('%')[0].split('::');
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}

/** Rows untouched this long (and no lock in force) are forgotten: "in a row" means within a day. */
const FORGET_AFTER = `interval '1 day'`;

/**
 * Failed logins, counted per username (known or not, so an unknown name is answered exactly like a
 * known one) and address, and per address whatever the username. Each count and its lock move in
 * one statement, and no statement clears a lock in force, so concurrent attempts cannot race a lock
 * away. Locking per account and address keeps anyone elsewhere from locking an account out.
 */
@Injectable()
export class LoginLockout {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Before the password is checked: a lock in force for this account here, else a throttle on the address. */
  async check(username: string, address: string): Promise<void> {
    const [row] = await this.dataSource.query(
      `SELECT (SELECT locked_until FROM login_lockout WHERE username = lower($1) AND address = $2 AND locked_until > now()) AS "lockedUntil",
              (SELECT window_started_at + make_interval(secs => $4) FROM login_address
                WHERE address = $2 AND failures >= $3 AND window_started_at > now() - make_interval(secs => $4)) AS "throttledUntil"`,
      [username, address, this.config.auth.maxFailedLoginsPerAddress, this.config.auth.lockoutSeconds],
    );
    if (row.lockedUntil) throw new LoginRefused(423, row.lockedUntil);
    if (row.throttledUntil) throw new LoginRefused(429, row.throttledUntil);
  }

  /** A wrong password (or unknown username): counted; the lock it ends in, if any, is thrown. */
  async failed(username: string, address: string): Promise<void> {
    const { maxFailedLogins, lockoutSeconds } = this.config.auth;
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
      [username, address, maxFailedLogins, lockoutSeconds],
    );
    if (row?.lockedUntil) throw new LoginRefused(423, row.lockedUntil);
  }

  /** The right password: the count starts again, unless a lock came into force meanwhile (then it is thrown). */
  async succeeded(username: string, address: string): Promise<void> {
    const [row] = await this.dataSource.query(
      `WITH cleared AS (DELETE FROM login_lockout WHERE username = lower($1) AND address = $2 AND coalesce(locked_until <= now(), true))
       SELECT locked_until AS "lockedUntil" FROM login_lockout WHERE username = lower($1) AND address = $2 AND locked_until > now()`,
      [username, address],
    );
    if (row?.lockedUntil) throw new LoginRefused(423, row.lockedUntil);
  }

  /** An administrator lifts every lock of the account, from every address. */
  async unlock(username: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM login_lockout WHERE username = lower($1)`, [username]);
  }
}
