/** PostgreSQL binds at most 65 535 parameters per statement: a multi-row INSERT takes this many rows at most. */
export const rowsPerStatement = (columns: number): number => Math.floor(60_000 / columns)

/**
 * Runs `write` over `rows` in as few multi-row statements as the parameter limit allows (issue 15:
 * "a small, fixed number of statements per batch (multi-row on PostgreSQL)"): one for any batch
 * of up to 60 000 / columns rows.
 */
export async function inChunks<T>(
  rows: readonly T[],
  columns: number,
  write: (chunk: T[]) => Promise<unknown>,
): Promise<void> {
  const size = rowsPerStatement(columns)
  for (let at = 0; at < rows.length; at += size) await write(rows.slice(at, at + size))
}
