import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from '../app-role';

/**
 * The application role (README "Configuration"): reads and writes the tables, inserts and reads
 * `audit_log` (no UPDATE, DELETE or TRUNCATE, and as it owns nothing it cannot drop the trigger),
 * reads `migrations`. Tables and sequences that later migrations make (as the same owner) are granted
 * to it by default. An owner that may not create roles leaves the role to be made by hand (a warning
 * says so); the API and worker then keep running as whoever DATABASE_URL names.
 */
export class AppRole1764900000000 implements MigrationInterface {
  name = 'AppRole1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN
        BEGIN
          CREATE ROLE ${APP_ROLE} NOLOGIN;
        EXCEPTION WHEN insufficient_privilege THEN
          RAISE WARNING '% may not create roles: make role ${APP_ROLE} (CREATE ROLE ${APP_ROLE} NOLOGIN) and grant it as migration AppRole1764900000000 does', current_user;
          RETURN;
        END;
      END IF;
      GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${APP_ROLE};
      REVOKE UPDATE, DELETE ON audit_log FROM ${APP_ROLE};
      REVOKE INSERT, UPDATE, DELETE ON migrations FROM ${APP_ROLE};
      GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${APP_ROLE};
      ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${APP_ROLE};
      ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${APP_ROLE};
    END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DO $$ BEGIN
      IF EXISTS (SELECT FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN
        ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM ${APP_ROLE};
        ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM ${APP_ROLE};
        REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${APP_ROLE};
        REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${APP_ROLE};
      END IF;
    END $$`);
  }
}
