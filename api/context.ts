// What every request handler can reach: the process-wide dependencies and per-request values.
import type { Client, Connection } from '@temporalio/client';
import type { Config } from '../lib/config.js';
import type { Logger } from '../lib/logger.js';
import { pingDatabase, type Database } from '../db/client.js';
import type { Actor } from '../domain/roles.js';

export interface AppDeps {
  config: Config;
  database: Database;
  temporal: { client: Client; connection: Connection };
  logger: Logger;
}

export interface AppEnv {
  Variables: {
    deps: AppDeps;
    requestId: string;
    logger: Logger;
    /** The authenticated caller; set by the guards in api/auth.ts on protected routes only. */
    actor: Actor;
  };
}

export function healthChecks(deps: AppDeps): { postgres: () => Promise<void>; temporal: () => Promise<void> } {
  return {
    postgres: () => pingDatabase(deps.database.sql, 2000),
    temporal: async () => {
      await deps.temporal.connection.withDeadline(Date.now() + 2000, () =>
        deps.temporal.connection.workflowService.getSystemInfo({}),
      );
    },
  };
}
