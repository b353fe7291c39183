// `'a','b',…` for an SQL `in (…)` list in a check constraint or a partial index. The values are the project's
// own vocabulary constants (domain/), never input.
import { sql } from 'drizzle-orm';

export function sqlList(values: readonly string[]) {
  return sql.raw(values.map((v) => `'${v}'`).join(','));
}
