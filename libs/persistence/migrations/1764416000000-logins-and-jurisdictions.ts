import { MigrationInterface, QueryRunner } from 'typeorm';

/** Each device kind a person may carry (a key of `person.devices`) and the index that keeps its ids unique. */
const DEVICE_INDEXES = { doorSensorId: 'person_door_sensor_unique', cameraId: 'person_camera_unique', thermometerId: 'person_thermometer_unique' };

/**
 * Logins locked per account and address, and throttled per address (the counts move from
 * app_user); enrolment request ids scoped to the observation's place; device ids unique per kind;
 * incoming hand-overs, a transfer's hand-over of a traveller who lives in another jurisdiction.
 */
export class LoginsAndJurisdictions1764416000000 implements MigrationInterface {
  name = 'LoginsAndJurisdictions1764416000000';

  async up(q: QueryRunner): Promise<void> {
    // Keyed by the name typed, known or not, so an unknown username is answered like a known one.
    await q.query(`CREATE TABLE login_lockout (
      username text NOT NULL,
      address text NOT NULL,
      failures int NOT NULL,
      locked_until timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (username, address))`);
    await q.query(`CREATE INDEX login_lockout_stale ON login_lockout (updated_at)`);
    await q.query(`CREATE TABLE login_address (
      address text PRIMARY KEY,
      window_started_at timestamptz NOT NULL,
      failures int NOT NULL)`);
    await q.query(`CREATE INDEX login_address_stale ON login_address (window_started_at)`);
    await q.query(`ALTER TABLE app_user DROP COLUMN failed_logins, DROP COLUMN locked_until`);

    // A client's request id names its request within the place it enrols in, not across the registry.
    await q.query(`ALTER TABLE observation DROP CONSTRAINT observation_client_request_id_key`);
    await q.query(`CREATE UNIQUE INDEX observation_client_request ON observation (client_request_id, subdistrict, community)`);

    // A device id already on several people stays with the one most likely wearing it (an open
    // observation, else the latest), and is taken off the others, each named in the log.
    for (const [kind, index] of Object.entries(DEVICE_INDEXES)) {
      const [removed] = await q.query(
        `WITH holders AS (
           SELECT p.id, p.devices->>$1 AS device, row_number() OVER (
             PARTITION BY p.devices->>$1
             ORDER BY EXISTS (SELECT 1 FROM observation o WHERE o.person_id = p.id AND o.status IN ('active', 'escalated')) DESC,
                      (SELECT max(o.started_at) FROM observation o WHERE o.person_id = p.id) DESC NULLS LAST, p.created_at DESC, p.id) AS rank
           FROM person p WHERE p.devices ? $1)
         UPDATE person p SET devices = p.devices - $1::text FROM holders h WHERE h.id = p.id AND h.rank > 1
         RETURNING p.id, h.device`,
        [kind],
      );
      for (const row of removed as Array<{ id: string; device: string }>) {
        console.warn(`[migration] ${kind} ${row.device} was on several people: taken off person ${row.id}, kept on the one with the open or latest observation`);
      }
      await q.query(`CREATE UNIQUE INDEX ${index} ON person ((devices->>'${kind}'))`);
    }
    // Events are routed by the unique indexes above now.
    await q.query(`DROP INDEX person_devices`);

    await q.query(`CREATE TABLE incoming_hand_over (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      run_id text NOT NULL,
      traveller_id text NOT NULL,
      from_subdistrict text,
      subdistrict text NOT NULL,
      community text NOT NULL,
      state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted')),
      observation_number text REFERENCES observation(number),
      accepted_by text,
      accepted_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (run_id, traveller_id),
      FOREIGN KEY (run_id, traveller_id) REFERENCES transfer_traveller(run_id, traveller_id))`);
    await q.query(`CREATE INDEX incoming_hand_over_place ON incoming_hand_over (subdistrict, community, state, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE incoming_hand_over`);
    await q.query(`CREATE INDEX person_devices ON person USING gin (devices jsonb_path_ops)`);
    for (const index of Object.values(DEVICE_INDEXES)) await q.query(`DROP INDEX ${index}`);
    await q.query(`DROP INDEX observation_client_request`);
    await q.query(`ALTER TABLE observation ADD CONSTRAINT observation_client_request_id_key UNIQUE (client_request_id)`);
    await q.query(`ALTER TABLE app_user ADD COLUMN failed_logins int NOT NULL DEFAULT 0, ADD COLUMN locked_until timestamptz`);
    await q.query(`DROP TABLE login_address`);
    await q.query(`DROP TABLE login_lockout`);
  }
}
