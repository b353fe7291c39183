// checkDatabase: round-trips to Postgres from inside an activity (proves the worker's dependencies).
import { activityInfo } from '@temporalio/activity';
import type { ActivityDeps } from './deps.js';

export interface CheckDatabaseInput {
  nonce: string;
}
export interface CheckDatabaseResult {
  nonce: string;
  databaseTime: string;
  workerIdentity: string;
}

export function createSystemCheckActivities(deps: ActivityDeps) {
  return {
    async checkDatabase(input: CheckDatabaseInput): Promise<CheckDatabaseResult> {
      const [row] = await deps.database.sql<{ now: string }[]>`select now()::text as now`;
      if (!row) throw new Error('select now() returned no row');
      return { nonce: input.nonce, databaseTime: new Date(row.now).toISOString(), workerIdentity: activityInfo().taskQueue };
    },
  };
}
