/**
 * The database logins (README "Configuration"): the API and worker run as the application role,
 * which may insert and read `audit_log` and nothing more on it; the owner, who runs the migrations,
 * meets the append-only trigger. Global setup gives the tests both, as `npm start` does.
 */
import { DataSource } from 'typeorm';
import { APP_ROLE } from '../../libs/persistence/app-role';
import { createDataSource, runMigrations } from '../../libs/persistence/data-source';

describe('database roles', () => {
  let app: DataSource;
  let owner: DataSource;

  beforeAll(async () => {
    app = await createDataSource(process.env.DATABASE_URL!, { poolSize: 2 }).initialize();
    owner = await createDataSource(process.env.DATABASE_OWNER_URL!, { poolSize: 2 }).initialize();
  });

  afterAll(async () => {
    await app?.destroy();
    await owner?.destroy();
  });

  const insertAudit = (db: DataSource, actor: string) =>
    db.query(`INSERT INTO audit_log (actor, action, status) VALUES ($1, 'POST /test', 201) RETURNING id`, [actor]) as Promise<Array<{ id: string }>>;

  it('runs the tests, like the API and worker, as the application role', async () => {
    expect(await app.query(`SELECT current_user AS who`)).toEqual([{ who: APP_ROLE }]);
  });

  it('lets the application role insert and read audit_log', async () => {
    const [{ id }] = await insertAudit(app, 'roles test');
    expect(await app.query(`SELECT actor FROM audit_log WHERE id = $1`, [id])).toEqual([{ actor: 'roles test' }]);
  });

  it.each([
    ['UPDATE', `UPDATE audit_log SET actor = 'someone else'`],
    ['DELETE', `DELETE FROM audit_log`],
    ['TRUNCATE', `TRUNCATE audit_log`],
  ])('refuses the application role %s on audit_log', async (_, statement) => {
    await expect(app.query(statement)).rejects.toThrow(/permission denied for table audit_log/);
  });

  it.each([
    ['drop its trigger', `DROP TRIGGER audit_log_no_update ON audit_log`],
    ['disable its triggers', `ALTER TABLE audit_log DISABLE TRIGGER ALL`],
    ['drop it', `DROP TABLE audit_log`],
    ['take it over', `ALTER TABLE audit_log OWNER TO ${APP_ROLE}`],
  ])('refuses the application role to %s', async (_, statement) => {
    await expect(app.query(statement)).rejects.toThrow(/must be owner of (table|relation) audit_log/);
  });

  it('refuses the application role a table of its own and a record of a migration', async () => {
    await expect(app.query(`CREATE TABLE audit_log_copy (id int)`)).rejects.toThrow(/permission denied for schema public/);
    await expect(app.query(`INSERT INTO migrations (timestamp, name) VALUES (1, 'Forged1')`)).rejects.toThrow(/permission denied for table migrations/);
  });

  it('lets the application role read and write the tables it works on', async () => {
    const id = `roles-test-${Date.now()}`;
    await app.query(`INSERT INTO system_probe (workflow_id, requested_by, written_at, worker_identity) VALUES ($1, 'roles test', now(), 'none')`, [id]);
    await app.query(`UPDATE system_probe SET requested_by = 'roles test, updated' WHERE workflow_id = $1`, [id]);
    await app.query(`DELETE FROM system_probe WHERE workflow_id = $1`, [id]);
  });

  it('stops the owner too, by the trigger: audit_log is append-only for everyone', async () => {
    await insertAudit(owner, 'roles test, owner');
    await expect(owner.query(`UPDATE audit_log SET actor = 'someone else'`)).rejects.toThrow(/append-only \(UPDATE refused\)/);
    await expect(owner.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only \(DELETE refused\)/);
    await expect(owner.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only \(TRUNCATE refused\)/);
  });

  it('checks the schema as the application role when nothing is pending, and says what to do when something is', async () => {
    expect(await runMigrations(process.env.DATABASE_URL!)).toEqual([]);
    await owner.query(`DELETE FROM migrations WHERE name = 'AppRole1764900000000'`);
    try {
      await expect(runMigrations(process.env.DATABASE_URL!)).rejects.toThrow(/^migrations are pending and epi_ops_app may not apply them .*: give the owner's URL in DATABASE_OWNER_URL$/);
    } finally {
      // The owner applies it again, as it would at the next start (every statement in it may run twice).
      expect(await runMigrations(process.env.DATABASE_OWNER_URL!)).toEqual(['AppRole1764900000000']);
    }
  });
});
