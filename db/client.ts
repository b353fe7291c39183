// Database client: postgres.js connection + drizzle. One Database object per process, closed on shutdown.
import postgres from 'postgres';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import * as tables from './schema.js';
import * as promotionTables from './promotion-schema.js';
import * as verificationTables from './verification-schema.js';
import * as governanceTables from './governance-schema.js';
import * as eventTables from './event-schema.js';
import * as notificationTables from './notification-schema.js';

/** Every table, for drizzle's typed queries (also used by tools that build their own client, e.g. bench/). */
export const schema = { ...tables, ...promotionTables, ...verificationTables, ...governanceTables, ...eventTables, ...notificationTables };

export type Db = PostgresJsDatabase<typeof schema>;
export type Sql = postgres.Sql;
/** A drizzle transaction or the database itself: data-access functions accept either. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0] | Db;

export interface Database {
  sql: Sql;
  db: Db;
  close(): Promise<void>;
}

export function createDatabase(url: string, opts: { max?: number } = {}): Database {
  const sql = postgres(url, { max: opts.max ?? 10, onnotice: () => undefined, connect_timeout: 5 });
  const db = drizzle(sql, { schema });
  return { sql, db, close: () => sql.end({ timeout: 5 }) };
}

/** Cheap reachability probe with a deadline, used by /healthz. */
export async function pingDatabase(sql: Sql, timeoutMs = 2000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([sql`select 1`, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
