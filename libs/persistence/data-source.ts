import { DataSource } from 'typeorm';
import { InitialSchema1764000000000 } from './migrations/1764000000000-initial-schema';
import { Transfer1764100000000 } from './migrations/1764100000000-transfer';
import { Roster1764200000000 } from './migrations/1764200000000-roster';
import { Access1764300000000 } from './migrations/1764300000000-access';
import { ImportRows1764410000000 } from './migrations/1764410000000-import-rows';
import { RosterPlanSolving1764415000000 } from './migrations/1764415000000-roster-plan-solving';
import { LoginsAndJurisdictions1764416000000 } from './migrations/1764416000000-logins-and-jurisdictions';
import { NotificationRelay1764420000000 } from './migrations/1764420000000-notification-relay';
import { Dispatch1764518000000 } from './migrations/1764518000000-dispatch';
import { AppRole1764900000000 } from './migrations/1764900000000-app-role';
import { RosterRequestIds1765017000000 } from './migrations/1765017000000-roster-request-ids';
import { ReportLinks1765100000000 } from './migrations/1765100000000-report-links';
import { AccountsArePeople1765200000000 } from './migrations/1765200000000-accounts-are-people';
import { DailyReportDelivery1765210000000 } from './migrations/1765210000000-daily-report-delivery';
import { Pickups1765240000000 } from './migrations/1765240000000-pickups';
import { QuarantineStays1765300000000 } from './migrations/1765300000000-quarantine-stays';
import { GuardPosts1765330000000 } from './migrations/1765330000000-guard-posts';
import { ObservationClock1765400000000 } from './migrations/1765400000000-observation-clock';
import { UntoldShiftChanges1765500000000 } from './migrations/1765500000000-untold-shift-changes';
import { SwapHolders1765600000000 } from './migrations/1765600000000-swap-holders';

export const MIGRATIONS = [
  InitialSchema1764000000000,
  Transfer1764100000000,
  Roster1764200000000,
  Access1764300000000,
  ImportRows1764410000000,
  RosterPlanSolving1764415000000,
  LoginsAndJurisdictions1764416000000,
  NotificationRelay1764420000000,
  Dispatch1764518000000,
  AppRole1764900000000,
  RosterRequestIds1765017000000,
  ReportLinks1765100000000,
  AccountsArePeople1765200000000,
  DailyReportDelivery1765210000000,
  Pickups1765240000000,
  QuarantineStays1765300000000,
  GuardPosts1765330000000,
  ObservationClock1765400000000,
  UntoldShiftChanges1765500000000,
  SwapHolders1765600000000,
];

/** The one way this project builds its TypeORM data source: schema by migrations (no entity classes; the repositories in libs/persistence hold the SQL), never `synchronize`. */
export function createDataSource(url: string, options: { poolSize?: number; applicationName?: string } = {}): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    migrationsTransactionMode: 'each',
    poolSize: options.poolSize ?? 20,
    applicationName: options.applicationName ?? 'epi-ops',
    extra: { connectionTimeoutMillis: 5_000 },
  });
}

const MIGRATION_LOCK = 7_233_001;

/**
 * Applies pending migrations as the owner of the schema (`url`); safe when several workers and APIs
 * start at once. With nothing pending, the application role may call it too (it reads `migrations`).
 */
export async function runMigrations(url: string): Promise<string[]> {
  // One connection, so the session-level advisory lock covers the migration queries too.
  const dataSource = createDataSource(url, { poolSize: 1, applicationName: 'epi-ops-migrate' });
  await dataSource.initialize();
  try {
    await dataSource.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } catch (error) {
    if ((error as { code?: string }).code !== '42501') throw error;
    throw new Error(`migrations are pending and ${new URL(url).username} may not apply them (${(error as Error).message}): give the owner's URL in DATABASE_OWNER_URL`);
  } finally {
    await dataSource.destroy();
  }
}
