// What activities are built from. worker.ts builds the real clients once; tests pass real services (and,
// for the Argo CD/Kubernetes side, the simulator in sim/).
import type { Database } from '../db/client.js';
import type { StepTimeouts } from '../workflows/promotion-messages.js';
import type { NotifySettings } from '../workflows/notify-messages.js';
import type { Logger } from '../lib/logger.js';
import { targetPolicyOf, type Config } from '../lib/config.js';
import { createSecretResolver, type SecretResolver } from '../lib/secrets.js';
import { createTargetClients, type TargetClients } from '../integrations/targets.js';
import type { ProjectWatches } from '../integrations/argocd-project-watch.js';

export interface ActivityDeps {
  database: Database;
  logger: Logger;
  /** Parent folder of the temporary Git clones (default: the OS temp dir). */
  gitWorkDir?: string;
  /** Secret references → values (default: env:/file: resolver over process.env with the default policy). */
  secrets?: SecretResolver;
  /** FC_ALLOWED_HOSTS: hosts the Git remote may name (absent or empty = every host). */
  allowedHosts?: readonly string[];
  gitAuthor?: { name: string; email: string };
  /**
   * Argo CD and Kubernetes clients per environment (default: createTargetClients over `secrets`, with
   * DEFAULT_ARGO_TIMEOUT_MS). Tests that need a recording fetch pass createTargetClients({ fetchImpl, … }).
   */
  targets?: TargetClients;
  /** Step timeouts of the promotions the worker itself starts (auto-rollback); default DEFAULT_STEP_TIMEOUTS. */
  promotionTimeouts?: StepTimeouts;
  /** Poll interval of the convergence wait (default 1000 ms): without a live watch stream, and between refreshes. */
  pollIntervalMs?: number;
  /** The convergence wait follows Argo CD's watch streams (ARGOCD_WATCH; default true); false: polling only. */
  argocdWatch?: boolean;
  /**
   * The monitors' Argo CD watch streams (integrations/argocd-project-watch.ts), shared by the worker's activity
   * sets and closed when the worker stops; absent: each monitor tick makes its own (closed when idle).
   */
  projectWatches?: ProjectWatches;
  /** With a live watch stream, an application is still read with GET at least this often (default 30 000 ms). */
  streamSafetyReadMs?: number;
  /**
   * While a sync window blocks a step, the workflow checks again when the window should open, and at least this
   * often (PROMOTION_SYNC_WINDOW_RECHECK_SECONDS; default DEFAULT_SYNC_WINDOW_RECHECK_MS): an edited window counts.
   */
  syncWindowRecheckMs?: number;
  /** Notification delivery settings (FC_PUBLIC_URL, NOTIFY_*; default DEFAULT_NOTIFY_SETTINGS). */
  notifications?: NotifySettings;
  /** The task queue delivery workflows start on (worker.ts: `<queue>-notify`); default the dispatcher's own. */
  notifyTaskQueue?: string;
  /**
   * The task queue of the workflows an activity starts (an auto-rollback's promotion): the monitors' watch worker
   * serves `<queue>-monitor`, which polls no workflows (worker.ts createMonitorWorker); default the activity's own.
   */
  workflowTaskQueue?: string;
  /**
   * Test seam: called at named points inside steps (`<step>:start`, `git-commit-push:pushed`,
   * `argocd-wait:polled`) so tests can kill a worker or change the cluster at an exact moment.
   */
  testHooks?: { at(point: string, info: { deploymentId: number; attempt: number }): Promise<void> | void };
}

/** How often a step blocked by a sync window checks again at most (5 minutes). */
export const DEFAULT_SYNC_WINDOW_RECHECK_MS = 300_000;

/** Per-request timeout towards Argo CD for the activities: a refresh blocks until reconciled. */
export const DEFAULT_ARGO_TIMEOUT_MS = 30_000;

/**
 * The secret-handling dependencies of a worker under the installation's policy (lib/config.ts): a restricted
 * resolver (FC_SECRET_ENV_PREFIX, FC_SECRETS_DIR), the host allowlist for Git, and Argo CD/Kubernetes
 * clients that check it too. `env` adds values a process knows without exporting them (the sandbox).
 */
export function secretDepsOf(
  config: Config,
  env?: Record<string, string | undefined>,
): Required<Pick<ActivityDeps, 'secrets' | 'allowedHosts' | 'targets'>> {
  const policy = targetPolicyOf(config);
  const secrets = createSecretResolver({ ...policy, ...(env ? { env } : {}) });
  return {
    secrets,
    allowedHosts: policy.allowedHosts,
    targets: createTargetClients({
      secrets,
      allowedHosts: policy.allowedHosts,
      argoTimeoutMs: DEFAULT_ARGO_TIMEOUT_MS,
      kubeTimeoutMs: config.KUBE_TIMEOUT_MS,
    }),
  };
}
