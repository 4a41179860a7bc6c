import { HttpException, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { isIPv6 } from 'node:net';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { LoginRepository } from '../persistence/platform/login.repository';

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

/**
 * Failed logins, counted per username (known or not, so an unknown name is answered exactly like a
 * known one) and address, and per address whatever the username (LoginRepository keeps the counts
 * race-free). Locking per account and address keeps anyone elsewhere from locking an account out.
 */
@Injectable()
export class LoginLockout {
  constructor(
    private readonly logins: LoginRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Before the password is checked: a lock in force for this account here, else a throttle on the address. */
  async check(username: string, address: string): Promise<void> {
    const { maxFailedLoginsPerAddress, lockoutSeconds } = this.config.auth;
    const refusal = await this.logins.refusal(username, address, { maxFailures: maxFailedLoginsPerAddress, windowSeconds: lockoutSeconds });
    if (refusal.lockedUntil) throw new LoginRefused(423, refusal.lockedUntil);
    if (refusal.throttledUntil) throw new LoginRefused(429, refusal.throttledUntil);
  }

  /** A wrong password (or unknown username): counted; the lock it ends in, if any, is thrown. */
  async failed(username: string, address: string): Promise<void> {
    const { maxFailedLogins, lockoutSeconds } = this.config.auth;
    const lockedUntil = await this.logins.countFailure(username, address, { maxFailures: maxFailedLogins, lockSeconds: lockoutSeconds });
    if (lockedUntil) throw new LoginRefused(423, lockedUntil);
  }

  /** The right password: the count starts again, unless a lock came into force meanwhile (then it is thrown). */
  async succeeded(username: string, address: string): Promise<void> {
    const lockedUntil = await this.logins.clearFailures(username, address);
    if (lockedUntil) throw new LoginRefused(423, lockedUntil);
  }

  /** An administrator lifts every lock of the account, from every address. */
  unlock(username: string): Promise<void> {
    return this.logins.unlock(username);
  }
}
