import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { refusingDuplicates } from '../duplicate-key';

/** A sorting point (分拣点) where arrivals are sorted by destination and board. */
export interface SortingPoint {
  id: string;
  name: string;
  address: string;
}

/** Where a transfer ends: a community (home observation) or a quarantine hotel with rooms. */
export interface TransferDestination {
  id: string;
  kind: 'community' | 'hotel';
  name: string;
  /** One way from the sorting point. */
  travelMinutes: number;
  /** Hotels: rooms free. */
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
  available: boolean;
}

/** Escort staff (随车人员) who ride with a trip and hand people over. */
export interface TransferEscort {
  id: string;
  name: string;
  contact: string;
  available: boolean;
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
  vehicles: { table: 'transfer_vehicle', columns: { id: 'id', plate: 'plate', seats: 'seats', driverName: 'driver_name', driverContact: 'driver_contact', available: 'available' } },
  escorts: { table: 'transfer_escort', columns: { id: 'id', name: 'name', contact: 'contact', available: 'available' } },
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
