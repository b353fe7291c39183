// What activities are built from. worker.ts builds the real clients once; tests pass real services (and,
// for the Argo CD/Kubernetes side, the simulator in sim/).
import type { Database } from '../db/client.js';
import type { Logger } from '../lib/logger.js';
import type { SecretResolver } from '../lib/secrets.js';
import type { FetchLike } from '../integrations/argocd.js';

export interface ActivityDeps {
  database: Database;
  logger: Logger;
  /** Parent folder of the temporary Git clones (default: the OS temp dir). */
  gitWorkDir?: string;
  /** Secret references → values (default: env:/file: resolver over process.env). */
  secrets?: SecretResolver;
  gitAuthor?: { name: string; email: string };
  /** fetch used for Argo CD (default: global fetch). */
  fetchImpl?: FetchLike;
  /** Poll interval of the convergence wait (default 1000 ms). */
  pollIntervalMs?: number;
  /** Per-request timeout towards Argo CD (default 30 s; a refresh blocks until reconciled). */
  argoTimeoutMs?: number;
  /**
   * Test seam: called at named points inside steps (`<step>:start`, `git-commit-push:pushed`,
   * `argocd-wait:polled`) so tests can kill a worker or change the cluster at an exact moment.
   */
  testHooks?: { at(point: string, info: { deploymentId: number; attempt: number }): Promise<void> | void };
}
