import { HttpException, Inject, Injectable, Logger, OnApplicationBootstrap, UnauthorizedException } from '@nestjs/common';
import { hash, verify } from '@node-rs/argon2';
import { Principal, Role, ROLES } from './roles';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { conflict, FieldProblem, invalidAll, notFound } from '../domain/errors';
import { parseUuid } from '../domain/ids';
import { LoginLockout } from './login-lockout.service';
import { Page, pageOf, PageQuery } from '../nest/paging';
import { AccountContacts, AccountView, UserRepository, UserRow } from '../persistence/platform/user.repository';
import { ContactChannel, CONTACT_CHANNELS, emailProblem, Language, LANGUAGES, mobileProblem, normaliseMobile } from '../domain/contact';

/** An account's place and contacts as given; absent fields keep their value (defaults on create). */
interface AccountFields {
  role?: Role;
  subdistrict?: string | null;
  community?: string | null;
  destinationId?: string | null;
  mobile?: string | null;
  email?: string | null;
  language?: Language;
  channels?: ContactChannel[];
}

export interface UserInput extends AccountFields {
  username: string;
  displayName: string;
  password: string;
  role: Role;
}

export interface UserChange extends AccountFields {
  displayName?: string;
  password?: string;
  active?: boolean;
  unlock?: boolean;
}

/** How long a looked-up account is trusted by the guard before it is read again (a disabled user is out within this). */
const PRINCIPAL_CACHE_MS = 5_000;

/** Accounts and passwords (argon2id); failed logins are counted by LoginLockout. */
@Injectable()
export class UsersService implements OnApplicationBootstrap {
  private readonly logger = new Logger('users');
  private readonly cache = new Map<string, { row: UserRow; until: number }>();
  /** Verified against when the username is unknown, so a wrong name costs as long as a wrong password. */
  private readonly decoy = hash('decoy password, never used');

  constructor(
    private readonly users: UserRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly lockout: LoginLockout,
  ) {}

  /** The first start: an admin from EPI_ADMIN_PASSWORD when no account exists yet. */
  async onApplicationBootstrap(): Promise<void> {
    const password = this.config.auth.adminPassword;
    if (!password) return;
    if ((await this.users.count()) > 0) return;
    try {
      await this.create({ username: 'admin', displayName: 'Administrator', password, role: 'admin' });
      this.logger.log('created the first account: admin');
    } catch (error) {
      if ((error as { kind?: string }).kind !== 'conflict') throw error; // another API process made it first
    }
  }

  async create(input: UserInput): Promise<AccountView> {
    const account = checkAccount({ ...NEW_ACCOUNT, ...defined(input), role: input.role });
    try {
      const id = await this.users.insert({ username: input.username, displayName: input.displayName, passwordHash: await hash(input.password), ...account });
      return this.get(id);
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw conflict(`username ${input.username} is taken`, {}, [{ field: 'username', reason: 'is taken' }]);
      throw unknownDestination(error, input.destinationId);
    }
  }

  async list(query: PageQuery): Promise<Page<AccountView>> {
    const { page, pageSize, offset } = pageOf(query);
    const { rows, total } = await this.users.views({ offset, limit: pageSize });
    return { items: rows, page, pageSize, total };
  }

  async get(id: string): Promise<AccountView> {
    const uuid = parseUuid(id);
    const view = uuid ? await this.users.view(uuid) : undefined;
    if (!view) throw notFound('user', id);
    return view;
  }

  async update(id: string, change: UserChange): Promise<AccountView> {
    const uuid = parseUuid(id);
    const current = uuid ? await this.users.find(uuid) : undefined;
    if (!current) throw notFound('user', id);
    const contacts = (await this.users.contacts(current.id)) as AccountContacts;
    const account = checkAccount({ ...current, ...contacts, ...defined(change) });
    // A new password, a disabled account or a new place ends the sessions already handed out.
    const revoke =
      change.password !== undefined || change.active === false || change.role !== undefined || change.subdistrict !== undefined || change.community !== undefined || change.destinationId !== undefined;
    await this.users
      .update(current.id, {
        displayName: change.displayName ?? current.displayName,
        passwordHash: change.password ? await hash(change.password) : current.passwordHash,
        ...account,
        active: change.active ?? current.active,
        revokeSessions: revoke,
      })
      .catch((error) => {
        throw unknownDestination(error, change.destinationId);
      });
    if (change.unlock === true) await this.lockout.unlock(current.username);
    this.cache.delete(current.id);
    return this.get(id);
  }

  /**
   * Checks a password from an address. A lock of the account there, or a throttled address, refuses
   * it before the hash; an unknown username costs a hash (against a decoy) and counts like a known
   * one, so neither the answer nor its time tells which names exist. The lock is checked again after
   * the hash: a concurrent wrong password may have locked the account meanwhile.
   */
  async login(username: string, password: string, address: string): Promise<Principal & { tokenVersion: number }> {
    await this.lockout.check(username, address);
    const row = await this.users.findByUsername(username);
    if (!(await verify(row?.passwordHash ?? (await this.decoy), password)) || !row) {
      await this.lockout.failed(username, address);
      throw new UnauthorizedException({ error: 'unauthenticated', message: 'wrong username or password' });
    }
    await this.lockout.succeeded(username, address);
    if (!row.active) throw new HttpException({ error: 'forbidden', message: 'this account is disabled; ask an administrator' }, 403);
    await this.users.loggedIn(row.id);
    return { ...principalOf(row), tokenVersion: row.tokenVersion };
  }

  /** The account behind a token, if it is still active and the token not revoked. */
  async principal(userId: string, tokenVersion: number): Promise<Principal | undefined> {
    const cached = this.cache.get(userId);
    let row = cached && cached.until > Date.now() ? cached.row : undefined;
    if (!row) {
      const uuid = parseUuid(userId);
      row = uuid ? await this.users.find(uuid) : undefined;
      if (row) this.cache.set(userId, { row, until: Date.now() + PRINCIPAL_CACHE_MS });
    }
    if (!row || !row.active || row.tokenVersion !== tokenVersion) return undefined;
    return principalOf(row);
  }

  /** Logging out everywhere: every token handed out so far stops working. */
  async revokeSessions(userId: string): Promise<void> {
    await this.users.revokeSessions(userId);
    this.cache.delete(userId);
  }
}

function principalOf(row: UserRow): Principal {
  return { userId: row.id, username: row.username, displayName: row.displayName, role: row.role, subdistrict: row.subdistrict, community: row.community, destinationId: row.destinationId };
}

const NEW_ACCOUNT: Required<Omit<AccountFields, 'role'>> = { subdistrict: null, community: null, destinationId: null, mobile: null, email: null, language: 'zh-CN', channels: [] };

/** The fields given, without the absent ones, so they can be laid over current values. */
function defined<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function unknownDestination(error: unknown, destinationId: string | null | undefined): unknown {
  const { code, constraint } = error as { code?: string; constraint?: string };
  if (code === '23503' && constraint?.includes('destination')) return invalidAll([{ field: 'destinationId', reason: `no destination ${destinationId}` }]);
  return error;
}

/**
 * A community worker works in one community, a medical desk in one subdistrict, a receiver at one
 * destination; a community lies in a subdistrict. A channel needs its address.
 */
function checkAccount(a: Required<Omit<AccountFields, 'role'>> & { role: Role }): Pick<UserRow, 'role' | 'subdistrict' | 'community' | 'destinationId'> & AccountContacts {
  const problems: FieldProblem[] = [];
  const { role, subdistrict, community, destinationId } = a;
  if (!ROLES.includes(role)) problems.push({ field: 'role', reason: `must be one of ${ROLES.join(', ')}` });
  if (community && !subdistrict) problems.push({ field: 'subdistrict', reason: 'is required with a community' });
  if (role === 'community_worker' && !community) problems.push({ field: 'community', reason: 'is required for a community worker' });
  if (role === 'medical' && !subdistrict) problems.push({ field: 'subdistrict', reason: 'is required for a medical desk' });
  if (role === 'receiver' && !destinationId) problems.push({ field: 'destinationId', reason: 'is required for a receiver' });
  if (role !== 'receiver' && destinationId) problems.push({ field: 'destinationId', reason: 'is only for a receiver' });
  const mobile = a.mobile ? normaliseMobile(a.mobile) : null;
  const mobileWrong = mobile ? mobileProblem(mobile) : undefined;
  if (mobileWrong) problems.push({ field: 'mobile', reason: mobileWrong });
  const emailWrong = a.email ? emailProblem(a.email) : undefined;
  if (emailWrong) problems.push({ field: 'email', reason: emailWrong });
  if (!LANGUAGES.includes(a.language)) problems.push({ field: 'language', reason: `must be one of ${LANGUAGES.join(', ')}` });
  const channels = [...new Set(a.channels)];
  for (const channel of channels) if (!CONTACT_CHANNELS.includes(channel)) problems.push({ field: 'channels', reason: `must be among ${CONTACT_CHANNELS.join(', ')}` });
  if (channels.includes('sms') && !mobile) problems.push({ field: 'mobile', reason: 'is required for the sms channel' });
  if (channels.includes('email') && !a.email) problems.push({ field: 'email', reason: 'is required for the email channel' });
  if (problems.length) throw invalidAll(problems);
  return {
    role,
    subdistrict: subdistrict ? subdistrict.toUpperCase() : null,
    community: community || null,
    destinationId: destinationId || null,
    mobile,
    email: a.email || null,
    language: a.language,
    channels,
  };
}
