/** An optional epoch-millisecond instant as a database value. */
export function dateOrNull(at: number | undefined): Date | null {
  return at === undefined ? null : new Date(at);
}
