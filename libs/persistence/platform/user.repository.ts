import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { parseUuid } from '../../domain/ids';
import type { Role } from '../../auth/roles';
import type { ContactChannel, Language } from '../../domain/contact';

/** How an account is reached besides its inbox, and in which language. */
export interface AccountContacts {
  mobile: string | null;
  email: string | null;
  language: Language;
  /** External channels the account wants its messages on (each needs its address). */
  channels: ContactChannel[];
}

/** An account with what a login and the guard check (table `app_user`). */
export interface UserRow {
  id: string;
  username: string;
  displayName: string;
  passwordHash: string;
  role: Role;
  subdistrict: string | null;
  community: string | null;
  /** A receiver's destination; null for every other role. */
  destinationId: string | null;
  active: boolean;
  /** Raised to end every session handed out so far. */
  tokenVersion: number;
}

/** A lock in force on an account, from one address. */
export interface AccountLock {
  address: string;
  lockedUntil: string;
}

/** An account as administrators see it, with the locks in force on it; instants as ISO 8601 UTC. */
export interface AccountView extends AccountContacts {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  subdistrict: string | null;
  community: string | null;
  destinationId: string | null;
  active: boolean;
  lockouts: AccountLock[];
  /** The latest of the locks' ends, null when none is in force. */
  lockedUntil: string | null;
  lastLoginAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export type NewUser = Pick<UserRow, 'username' | 'displayName' | 'passwordHash' | 'role' | 'subdistrict' | 'community' | 'destinationId'> & AccountContacts;
export type UserUpdate = Pick<UserRow, 'displayName' | 'passwordHash' | 'role' | 'subdistrict' | 'community' | 'destinationId' | 'active'> & AccountContacts & { revokeSessions: boolean };

const UTC = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const USER_COLUMNS = `id, username, display_name AS "displayName", password_hash AS "passwordHash", role, subdistrict, community,
  destination_id AS "destinationId", active, token_version AS "tokenVersion"`;
const CONTACT_COLUMNS = `mobile, email, language, channels`;
const SELECT_VIEW = `SELECT u.id, u.username, u.display_name AS "displayName", u.role, u.subdistrict, u.community, u.destination_id AS "destinationId",
  u.mobile, u.email, u.language, u.channels, u.active, l.locks AS lockouts,
  ${UTC('l.until')} AS "lockedUntil", ${UTC('u.last_login_at')} AS "lastLoginAt", ${UTC('u.created_at')} AS "createdAt", ${UTC('u.updated_at')} AS "updatedAt"
  FROM app_user u CROSS JOIN LATERAL (
    SELECT coalesce(json_agg(json_build_object('address', address, 'lockedUntil', ${UTC('locked_until')}) ORDER BY locked_until DESC), '[]') AS locks, max(locked_until) AS until
    FROM login_lockout WHERE username = lower(u.username) AND locked_until > now()) l`;

/** Every statement on `app_user` (the administrators' view joins the locks in `login_lockout`). */
@Injectable()
export class UserRepository {
  constructor(private readonly dataSource: DataSource) {}

  async count(): Promise<number> {
    const [{ count }] = await this.dataSource.query(`SELECT count(*)::int AS count FROM app_user`);
    return count;
  }

  /** Answers the new account's id; a taken username fails with PostgreSQL's unique violation (23505). */
  async insert(user: NewUser): Promise<string> {
    const [row] = await this.dataSource.query(
      `INSERT INTO app_user (username, display_name, password_hash, role, subdistrict, community, destination_id, ${CONTACT_COLUMNS})
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
      [user.username, user.displayName, user.passwordHash, user.role, user.subdistrict, user.community, user.destinationId, user.mobile, user.email, user.language, user.channels],
    );
    return row.id;
  }

  /** The contacts of an account, for a message addressed to it. */
  async contacts(id: string, db: EntityManager = this.dataSource.manager): Promise<AccountContacts | undefined> {
    const uuid = parseUuid(id);
    if (!uuid) return undefined;
    const [row] = await db.query(`SELECT ${CONTACT_COLUMNS} FROM app_user WHERE id = $1`, [uuid]);
    return row;
  }

  async find(id: string): Promise<UserRow | undefined> {
    const [row] = await this.dataSource.query(`SELECT ${USER_COLUMNS} FROM app_user WHERE id = $1`, [id]);
    return row;
  }

  /** Usernames are unique whatever their case. */
  async findByUsername(username: string): Promise<UserRow | undefined> {
    const [row] = await this.dataSource.query(`SELECT ${USER_COLUMNS} FROM app_user WHERE lower(username) = lower($1)`, [username]);
    return row;
  }

  async update(id: string, change: UserUpdate): Promise<void> {
    await this.dataSource.query(
      `UPDATE app_user SET display_name = $2, password_hash = $3, role = $4, subdistrict = $5, community = $6, active = $7,
         token_version = token_version + CASE WHEN $8 THEN 1 ELSE 0 END, destination_id = $9, mobile = $10, email = $11, language = $12, channels = $13,
         updated_at = now()
       WHERE id = $1`,
      [id, change.displayName, change.passwordHash, change.role, change.subdistrict, change.community, change.active, change.revokeSessions,
        change.destinationId, change.mobile, change.email, change.language, change.channels],
    );
  }

  async loggedIn(id: string): Promise<void> {
    await this.dataSource.query(`UPDATE app_user SET last_login_at = now() WHERE id = $1`, [id]);
  }

  /** Every token handed out so far stops working. */
  async revokeSessions(id: string): Promise<void> {
    await this.dataSource.query(`UPDATE app_user SET token_version = token_version + 1, updated_at = now() WHERE id = $1`, [id]);
  }

  /** A page of accounts by username, whatever its case, and how many there are. */
  async views(page: { offset: number; limit: number }): Promise<{ rows: AccountView[]; total: number }> {
    const [rows, total] = await Promise.all([
      this.dataSource.query(`${SELECT_VIEW} ORDER BY lower(u.username) OFFSET $1 LIMIT $2`, [page.offset, page.limit]),
      this.count(),
    ]);
    return { rows, total };
  }

  async view(id: string): Promise<AccountView | undefined> {
    const [row] = await this.dataSource.query(`${SELECT_VIEW} WHERE u.id = $1`, [id]);
    return row;
  }
}
