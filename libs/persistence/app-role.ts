import { DataSource } from 'typeorm';
import { newDatabasePassword, passwordLiteral } from './embedded-postgres';

/**
 * The role the API and worker run as: it may read and write the application's tables, but only
 * insert and read `audit_log`, and it owns nothing, so it cannot drop or disable the audit log's
 * trigger either. The owner (who runs the migrations) grants it that; see migration AppRole1764900000000.
 */
export const APP_ROLE = 'epi_ops_app';

/**
 * Lets the application role log in with `password` (a fresh random one by default) and returns its
 * URL on the same server and database as `ownerUrl`. For servers this project starts itself (the
 * embedded PostgreSQL of `npm start`, the tests'); run after the migrations, which make the role.
 */
export async function appRoleUrl(ownerUrl: string, password = newDatabasePassword()): Promise<string> {
  const owner = new DataSource({ type: 'postgres', url: ownerUrl, poolSize: 1 });
  await owner.initialize();
  try {
    await owner.query(`ALTER ROLE ${APP_ROLE} LOGIN PASSWORD ${passwordLiteral(password)}`);
  } finally {
    await owner.destroy();
  }
  const url = new URL(ownerUrl);
  url.username = APP_ROLE;
  url.password = password;
  return url.toString();
}
