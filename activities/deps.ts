// What activities are built from. worker.ts builds the real clients once; tests pass real services (and,
// for the Argo CD/Kubernetes side, the simulator in sim/).
import type { Database } from '../db/client.js';
import type { Logger } from '../lib/logger.js';
import type { SecretResolver } from '../lib/secrets.js';
import type { TargetClients } from '../integrations/targets.js';

export interface ActivityDeps {
  database: Database;
  logger: Logger;
  /** Parent folder of the temporary Git clones (default: the OS temp dir). */
  gitWorkDir?: string;
  /** Secret references → values (default: env:/file: resolver over process.env). */
  secrets?: SecretResolver;
  gitAuthor?: { name: string; email: string };
  /**
   * Argo CD and Kubernetes clients per environment (default: createTargetClients over `secrets`, with
   * DEFAULT_ARGO_TIMEOUT_MS). Tests that need a recording fetch pass createTargetClients({ fetchImpl, … }).
   */
  targets?: TargetClients;
  /** Poll interval of the convergence wait (default 1000 ms). */
  pollIntervalMs?: number;
  /**
   * Test seam: called at named points inside steps (`<step>:start`, `git-commit-push:pushed`,
   * `argocd-wait:polled`) so tests can kill a worker or change the cluster at an exact moment.
   */
  testHooks?: { at(point: string, info: { deploymentId: number; attempt: number }): Promise<void> | void };
}

/** Per-request timeout towards Argo CD for the activities: a refresh blocks until reconciled. */
export const DEFAULT_ARGO_TIMEOUT_MS = 30_000;
