import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Users with roles and jurisdictions, the append-only audit log, and the jurisdiction of records
 * that did not carry one (posts, transfer runs, import jobs).
 */
export class Access1764300000000 implements MigrationInterface {
  name = 'Access1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE app_user (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      username text NOT NULL,
      display_name text NOT NULL,
      password_hash text NOT NULL,
      role text NOT NULL,
      subdistrict text,
      community text,
      active boolean NOT NULL DEFAULT true,
      failed_logins int NOT NULL DEFAULT 0,
      locked_until timestamptz,
      token_version int NOT NULL DEFAULT 0,
      last_login_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT app_user_community_needs_subdistrict CHECK (community IS NULL OR subdistrict IS NOT NULL))`);
    await q.query(`CREATE UNIQUE INDEX app_user_username ON app_user (lower(username))`);

    await q.query(`CREATE TABLE audit_log (
      id bigserial PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT now(),
      actor_id uuid,
      actor text NOT NULL,
      actor_role text,
      actor_subdistrict text,
      action text NOT NULL,
      record_type text,
      record_id text,
      subdistrict text,
      community text,
      status int NOT NULL,
      ip text,
      request_id text,
      detail jsonb NOT NULL DEFAULT '{}')`);
    await q.query(`CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC)`);
    await q.query(`CREATE INDEX audit_log_record ON audit_log (record_type, record_id)`);
    await q.query(`CREATE INDEX audit_log_actor ON audit_log (actor, at DESC)`);
    // Append-only even against a mistaken UPDATE or DELETE from any code path, not just the API's.
    await q.query(`CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP; END $$`);
    await q.query(`CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`);
    await q.query(`CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`);

    // null: district-level (a post or run of the district command).
    await q.query(`ALTER TABLE roster_post ADD COLUMN subdistrict text`);
    await q.query(`ALTER TABLE transfer_run ADD COLUMN subdistrict text`);
    await q.query(`ALTER TABLE import_job ADD COLUMN subdistrict text, ADD COLUMN community text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE import_job DROP COLUMN subdistrict, DROP COLUMN community`);
    await q.query(`ALTER TABLE transfer_run DROP COLUMN subdistrict`);
    await q.query(`ALTER TABLE roster_post DROP COLUMN subdistrict`);
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP FUNCTION audit_log_append_only()`);
    await q.query(`DROP TABLE app_user`);
  }
}
