import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { refusingDuplicates } from '../duplicate-key';
import type { DestinationKind } from '../../../workflows/transfer/transfer-planning';

/** A sorting point (分拣点) where arrivals are sorted by destination and board. */
export interface SortingPoint {
  id: string;
  name: string;
  address: string;
}

/** Where a transfer ends: a community (home observation) or a quarantine hotel with rooms. */
export interface TransferDestination {
  id: string;
  kind: DestinationKind;
  name: string;
  /** One way from the sorting point. */
  travelMinutes: number;
  /** Hotels: their rooms, numbered 1 to capacity (a quarantine stay takes one); null for a community. */
  capacity: number | null;
  /** Who takes people over on arrival (on-call community worker or hotel desk). */
  receiver: string;
  /** Communities: the worker responsible for the home observations a hand-over starts. */
  worker: string | null;
}

export interface TransferVehicle {
  id: string;
  plate: string;
  seats: number;
  driverName: string;
  driverContact: string;
  /** The driver's login: they see the trips of this vehicle and record its legs (null: none linked). */
  driverAccountId: string | null;
  available: boolean;
  /** The subdistrict whose vehicle it is: the one its pick-ups take it (null: the district's, for runs from a sorting point only). */
  subdistrict: string | null;
}

/** Escort staff (随车人员) who ride with a trip and hand people over. */
export interface TransferEscort {
  id: string;
  name: string;
  contact: string;
  /** The escort's login: they see the trips they ride and record boarding and legs (null: none linked). */
  accountId: string | null;
  available: boolean;
  /** The subdistrict whose staff they are: the one whose pick-ups they escort (null: the district's). */
  subdistrict: string | null;
}

/** Each resource kind by its route name. */
export interface TransferResources {
  'sorting-points': SortingPoint;
  destinations: TransferDestination;
  vehicles: TransferVehicle;
  escorts: TransferEscort;
}

export type ResourceKind = keyof TransferResources;

/** Each kind's table and its columns by field. */
const TABLES: { [K in ResourceKind]: { table: string; columns: Record<keyof TransferResources[K], string> } } = {
  'sorting-points': { table: 'transfer_sorting_point', columns: { id: 'id', name: 'name', address: 'address' } },
  destinations: {
    table: 'transfer_destination',
    columns: { id: 'id', kind: 'kind', name: 'name', travelMinutes: 'travel_minutes', capacity: 'capacity', receiver: 'receiver', worker: 'worker' },
  },
  vehicles: {
    table: 'transfer_vehicle',
    columns: { id: 'id', plate: 'plate', seats: 'seats', driverName: 'driver_name', driverContact: 'driver_contact', driverAccountId: 'driver_account_id', available: 'available', subdistrict: 'subdistrict' },
  },
  escorts: { table: 'transfer_escort', columns: { id: 'id', name: 'name', contact: 'contact', accountId: 'account_id', available: 'available', subdistrict: 'subdistrict' } },
};

function selectFrom(kind: ResourceKind): string {
  const { table, columns } = TABLES[kind];
  return `SELECT ${Object.entries(columns)
    .map(([field, column]) => `${column} AS "${field}"`)
    .join(', ')} FROM ${table}`;
}

/** The fields of `row` that are given, as [column, value] pairs. */
function given<K extends ResourceKind>(kind: K, row: Partial<TransferResources[K]>): Array<[string, unknown]> {
  const columns = TABLES[kind].columns as Record<string, string>;
  return Object.entries(row)
    .filter(([field, value]) => value !== undefined && field in columns)
    .map(([field, value]) => [columns[field], value]);
}

/**
 * Every statement on the transfer resources: sorting points, destinations, vehicles, escorts.
 * Writes that would repeat an id or a plate throw DuplicateKeyError.
 */
@Injectable()
export class TransferResourceRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async page<K extends ResourceKind>(kind: K, page: { offset: number; pageSize: number }): Promise<{ items: Array<TransferResources[K]>; total: number }> {
    const [items, [{ total }]] = await Promise.all([
      this.dataSource.query(`${selectFrom(kind)} ORDER BY id LIMIT $1 OFFSET $2`, [page.pageSize, page.offset]),
      this.dataSource.query(`SELECT count(*)::int AS total FROM ${TABLES[kind].table}`),
    ]);
    return { items, total };
  }

  /** The accounts a vehicle's driver and escorts are linked to, where they are (key: the vehicle's or escort's id). */
  async linkedAccounts(vehicleId: string, escortIds: string[]): Promise<Map<string, string>> {
    const rows: Array<{ id: string; account: string }> = await this.dataSource.query(
      `SELECT id, driver_account_id AS account FROM transfer_vehicle WHERE id = $1 AND driver_account_id IS NOT NULL
       UNION ALL SELECT id, account_id FROM transfer_escort WHERE id = ANY($2) AND account_id IS NOT NULL`,
      [vehicleId, escortIds],
    );
    return new Map(rows.map((r) => [r.id, r.account]));
  }

  /**
   * Rooms taken at each hotel that has any: people in them (quarantine_stay), and people of runs not
   * completed on their way there, each of whom takes one at the door. Planning counts only the rest.
   */
  async hotelRoomsTaken(): Promise<Map<string, number>> {
    const rows: Array<{ hotelId: string; taken: number }> = await this.dataSource.query(
      `SELECT hotel_id AS "hotelId", count(*)::int AS taken FROM (
         SELECT hotel_id FROM quarantine_stay WHERE status = 'in_room'
         UNION ALL
         SELECT t.destination_id FROM transfer_traveller t JOIN transfer_run r ON r.id = t.run_id
         WHERE r.status <> 'completed' AND t.disposition = 'centralized_quarantine' AND t.status IN ('waiting', 'on_board', 'arrived')
       ) taken GROUP BY hotel_id`,
    );
    return new Map(rows.map((r) => [r.hotelId, r.taken]));
  }

  /**
   * What a pick-up a decision starts takes, each undefined when there is none: a destination of the
   * kind in the person's subdistrict, else anywhere (a hotel with a room free: fewer stays in its rooms than its capacity), an available vehicle
   * and escort of the subdistrict, and a sorting point, the vehicles' base the run is recorded at.
   */
  async forPickup(kind: DestinationKind, subdistrict: string): Promise<{ destinationId?: string; vehicleId?: string; escortId?: string; sortingPointId?: string }> {
    const [row] = await this.dataSource.query(
      `SELECT (SELECT d.id FROM transfer_destination d WHERE d.kind = $1
           AND (d.capacity IS NULL OR d.capacity > (SELECT count(*) FROM quarantine_stay s WHERE s.hotel_id = d.id AND s.status = 'in_room'))
           ORDER BY d.subdistrict IS DISTINCT FROM $2, d.id LIMIT 1) AS "destinationId",
         (SELECT id FROM transfer_vehicle WHERE available AND subdistrict = $2 ORDER BY id LIMIT 1) AS "vehicleId",
         (SELECT id FROM transfer_escort WHERE available AND subdistrict = $2 ORDER BY id LIMIT 1) AS "escortId",
         (SELECT id FROM transfer_sorting_point ORDER BY id LIMIT 1) AS "sortingPointId"`,
      [kind, subdistrict],
    );
    return Object.fromEntries(Object.entries(row).filter(([, id]) => id !== null));
  }

  async all<K extends ResourceKind>(kind: K): Promise<Array<TransferResources[K]>> {
    return this.dataSource.query(`${selectFrom(kind)} ORDER BY id`);
  }

  async byIds<K extends ResourceKind>(kind: K, ids: string[]): Promise<Array<TransferResources[K]>> {
    return this.dataSource.query(`${selectFrom(kind)} WHERE id = ANY($1::text[]) ORDER BY id`, [ids]);
  }

  async get<K extends ResourceKind>(kind: K, id: string): Promise<TransferResources[K] | undefined> {
    const [row] = await this.dataSource.query(`${selectFrom(kind)} WHERE id = $1`, [id]);
    return row;
  }

  /** A new resource from the fields given; the table's defaults fill the rest. */
  async insert<K extends ResourceKind>(kind: K, row: Partial<TransferResources[K]>): Promise<void> {
    const values = given(kind, row);
    await refusingDuplicates(
      this.dataSource.query(
        `INSERT INTO ${TABLES[kind].table} (${values.map(([column]) => column).join(', ')}) VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')})`,
        values.map(([, value]) => value),
      ),
    );
  }

  /** Every field of the resource `row.id` replaced by the row's. */
  async replace<K extends ResourceKind>(kind: K, row: TransferResources[K]): Promise<void> {
    const { id, ...fields } = row as TransferResources[K] & { id: string };
    const columns = TABLES[kind].columns as Record<string, string>;
    const values = Object.keys(columns)
      .filter((field) => field !== 'id')
      .map((field) => [columns[field], (fields as Record<string, unknown>)[field] ?? null] as const);
    await refusingDuplicates(
      this.dataSource.query(`UPDATE ${TABLES[kind].table} SET ${values.map(([column], i) => `${column} = $${i + 2}`).join(', ')}, updated_at = now() WHERE id = $1`, [
        id,
        ...values.map(([, value]) => value),
      ]),
    );
  }

  async remove(kind: ResourceKind, id: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM ${TABLES[kind].table} WHERE id = $1`, [id]);
  }
}
