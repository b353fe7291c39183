// What activities are built from. worker.ts builds the real clients once; tests pass real services or fakes
// of these interfaces.
import type { Database } from '../db/client.js';
import type { Logger } from '../lib/logger.js';

export interface ActivityDeps {
  database: Database;
  logger: Logger;
}
