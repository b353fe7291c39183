// What every request handler can reach: the process-wide dependencies and per-request values.
import type { Client, Connection } from '@temporalio/client';
import { targetPolicyOf, type Config } from '../lib/config.js';
import { createSecretResolver } from '../lib/secrets.js';
import type { Logger } from '../lib/logger.js';
import { pingDatabase, type Database } from '../db/client.js';
import type { Actor } from '../domain/roles.js';
import { createTargetClients, type TargetClients } from '../integrations/targets.js';
import { promotionDeps, type PromotionServiceDeps } from './services/promotions.js';

export interface AppDeps {
  config: Config;
  database: Database;
  temporal: { client: Client; connection: Connection };
  logger: Logger;
  /** Argo CD/Kubernetes clients for the live view (short Argo CD timeout: a page load waits for them). */
  targets: TargetClients;
  /** The promotion service's dependencies; routes swap in the per-request logger. */
  promotions: PromotionServiceDeps;
}

/** What a caller must provide; the rest is derived from it by completeAppDeps (tests may pass their own). */
export type BaseAppDeps = Omit<AppDeps, 'targets' | 'promotions'> & Partial<Pick<AppDeps, 'targets' | 'promotions'>>;

/** Per-request timeout towards Argo CD for the live view. */
export const LIVE_ARGO_TIMEOUT_MS = 2000;

export function completeAppDeps(base: BaseAppDeps): AppDeps {
  return {
    ...base,
    targets: base.targets ?? liveTargetClients(base.config),
    promotions: base.promotions ?? promotionDeps(base),
  };
}

/**
 * The live view's clients: secrets resolved under the installation's policy (restricted references, allowed
 * hosts only), so a viewer's GET can only ever send a configured credential to an allowed host.
 */
export function liveTargetClients(config: Config, env?: Record<string, string | undefined>): TargetClients {
  const policy = targetPolicyOf(config);
  return createTargetClients({
    secrets: createSecretResolver({ ...policy, ...(env ? { env } : {}) }),
    allowedHosts: policy.allowedHosts,
    argoTimeoutMs: LIVE_ARGO_TIMEOUT_MS,
  });
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
      await deps.temporal.connection.withDeadline(Date.now() + 2000, () => deps.temporal.connection.workflowService.getSystemInfo({}));
    },
  };
}
