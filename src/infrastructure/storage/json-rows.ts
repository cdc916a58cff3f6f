/**
 * A row that PostgreSQL sent as JSON (`to_jsonb(t)` of a joined table, so that one statement can
 * bring several tables' rows without their columns colliding), made to look as pg would have
 * parsed it as a plain row: JSON carries timestamps as text, so the table's timestamp columns
 * become Dates again. Every other type a row holds here (text, uuid, boolean, jsonb) reads the
 * same either way. `null` (the outer join found nothing): undefined.
 */
export function rowFromJson<Row>(json: Record<string, unknown> | null | undefined, timestampColumns: readonly string[]): Row | undefined {
  if (!json) return undefined;
  const row: Record<string, unknown> = { ...json };
  for (const column of timestampColumns) {
    const value = row[column];
    if (typeof value === 'string') row[column] = new Date(value);
  }
  return row as Row;
}
