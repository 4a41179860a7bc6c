import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Messages reach accounts, not invented names (README "Who gets which message"): an account carries
 * its contacts, language and channels; receivers belong to one destination; staff, escorts and
 * drivers link to accounts; a person under observation has a language; a stored message names the
 * account it is for, the record it concerns and when it was read; an escalation or exception has an
 * owner account; a role nobody holds where a message needs it is a routing gap.
 */
export class AccountsArePeople1765200000000 implements MigrationInterface {
  name = 'AccountsArePeople1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE transfer_destination ADD COLUMN subdistrict text, ADD COLUMN community text`);
    await q.query(`ALTER TABLE app_user
      ADD COLUMN mobile text,
      ADD COLUMN email text,
      ADD COLUMN language text NOT NULL DEFAULT 'zh-CN' CHECK (language IN ('zh-CN', 'en')),
      ADD COLUMN channels text[] NOT NULL DEFAULT '{}' CHECK (channels <@ ARRAY['sms', 'email']::text[]),
      ADD COLUMN destination_id text REFERENCES transfer_destination(id),
      ADD CONSTRAINT app_user_receiver_has_destination CHECK (role <> 'receiver' OR destination_id IS NOT NULL),
      ADD CONSTRAINT app_user_sms_needs_mobile CHECK (NOT ('sms' = ANY (channels)) OR mobile IS NOT NULL),
      ADD CONSTRAINT app_user_email_needs_address CHECK (NOT ('email' = ANY (channels)) OR email IS NOT NULL)`);
    await q.query(`CREATE INDEX app_user_role_place ON app_user (role, subdistrict, community) WHERE active`);

    await q.query(`ALTER TABLE person ADD COLUMN language text NOT NULL DEFAULT 'zh-CN' CHECK (language IN ('zh-CN', 'en'))`);
    await q.query(`UPDATE person SET language = 'en' WHERE document_type = 'passport'`);

    await q.query(`ALTER TABLE roster_staff ADD COLUMN account_id uuid UNIQUE REFERENCES app_user(id)`);
    await q.query(`ALTER TABLE transfer_escort ADD COLUMN account_id uuid REFERENCES app_user(id)`);
    await q.query(`ALTER TABLE transfer_vehicle ADD COLUMN driver_account_id uuid REFERENCES app_user(id)`);

    await q.query(`ALTER TABLE notification
      ADD COLUMN account_id uuid REFERENCES app_user(id),
      ADD COLUMN concerns_kind text,
      ADD COLUMN concerns_id text,
      ADD COLUMN read_at timestamptz`);
    // An account's inbox: its in-app messages, newest first.
    await q.query(`CREATE INDEX notification_inbox ON notification (account_id, created_at DESC) WHERE channel = 'outbox' AND account_id IS NOT NULL`);

    await q.query(`ALTER TABLE escalation ADD COLUMN owner_account uuid REFERENCES app_user(id)`);
    await q.query(`ALTER TABLE transfer_exception ADD COLUMN owner_account uuid REFERENCES app_user(id)`);

    await q.query(`CREATE TABLE routing_gap (
      id bigserial PRIMARY KEY,
      role text NOT NULL,
      subdistrict text,
      community text,
      destination_id text,
      routed_to text NOT NULL,
      first_at timestamptz NOT NULL DEFAULT now(),
      last_at timestamptz NOT NULL DEFAULT now(),
      messages int NOT NULL DEFAULT 1,
      closed_at timestamptz)`);
    // One open gap per role and place, counted up while messages keep going one level up.
    await q.query(`CREATE UNIQUE INDEX routing_gap_open ON routing_gap (role, coalesce(subdistrict, ''), coalesce(community, ''), coalesce(destination_id, '')) WHERE closed_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE routing_gap`);
    await q.query(`ALTER TABLE transfer_exception DROP COLUMN owner_account`);
    await q.query(`ALTER TABLE escalation DROP COLUMN owner_account`);
    await q.query(`DROP INDEX notification_inbox`);
    await q.query(`ALTER TABLE notification DROP COLUMN account_id, DROP COLUMN concerns_kind, DROP COLUMN concerns_id, DROP COLUMN read_at`);
    await q.query(`ALTER TABLE transfer_vehicle DROP COLUMN driver_account_id`);
    await q.query(`ALTER TABLE transfer_escort DROP COLUMN account_id`);
    await q.query(`ALTER TABLE roster_staff DROP COLUMN account_id`);
    await q.query(`ALTER TABLE person DROP COLUMN language`);
    await q.query(`DROP INDEX app_user_role_place`);
    await q.query(`ALTER TABLE app_user DROP CONSTRAINT app_user_receiver_has_destination, DROP CONSTRAINT app_user_sms_needs_mobile, DROP CONSTRAINT app_user_email_needs_address,
      DROP COLUMN mobile, DROP COLUMN email, DROP COLUMN language, DROP COLUMN channels, DROP COLUMN destination_id`);
    await q.query(`ALTER TABLE transfer_destination DROP COLUMN subdistrict, DROP COLUMN community`);
  }
}
