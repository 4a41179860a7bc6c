import type { DataSource } from 'typeorm';

/** A list's statement in parts: what each row selects, from where (joins and WHERE), and its order. */
export interface ListStatement {
  columns: string;
  from: string;
  orderBy: string;
}

/** One page of a list's rows and how many rows the list has in all (two statements, run at once). */
export async function queryPage<T>(db: DataSource, list: ListStatement, params: unknown[], page: { offset: number; pageSize: number }): Promise<{ items: T[]; total: number }> {
  const [items, [{ total }]] = await Promise.all([
    db.query(`SELECT ${list.columns} ${list.from} ORDER BY ${list.orderBy} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`, [...params, page.pageSize, page.offset]),
    db.query(`SELECT count(*)::int AS total ${list.from}`, params),
  ]);
  return { items, total };
}
