// The API's side of auto-promotion (docs/governance.md "Auto-promotion"): starting or waking an environment's
// autoPromotion workflow (signal-with-start; best effort, bounded: the worker starts missing ones at its start and
// each looks again on a timer), and the hold a person's promotion places on it.
import { WorkflowNotFoundError, type Client, type Connection } from '@temporalio/client';
import type { Database, Tx } from '../../db/client.js';
import type { Logger } from '../../lib/logger.js';
import type { DeploymentRow } from '../../db/deployments.js';
import type { EnvironmentRow } from '../../db/environments.js';
import { getEnvironment, listEnvironments } from '../../db/environments.js';
import { holdAutoPromotion } from '../../db/auto-promotion.js';
import type { Actor } from '../../domain/roles.js';
import { autoPromotionWorkflowId } from '../../domain/auto-promotion.js';
import { autoPromotionStartOptions, autoPromoteWakeSignal } from '../../workflows/auto-promotion-messages.js';

export interface AutoPromotionDeps {
  client: Client;
  connection: Connection;
  taskQueue: string;
  logger: Logger;
}

const WAKE_TIMEOUT_MS = 3_000;

/**
 * Makes the environment's auto-promotion look now: started (or signalled) when it has `autoPromote`, signalled
 * when it has not (a running one then ends). `environments` null: every environment that auto-promotes (after a
 * change that may concern all: an unrejected release, a global resume).
 */
export async function wakeAutoPromotion(
  deps: AutoPromotionDeps & { database: Database },
  environments: Array<Pick<EnvironmentRow, 'name' | 'autoPromote'>> | null,
): Promise<void> {
  const targets = environments ?? (await listEnvironments(deps.database.db)).filter((e) => e.autoPromote);
  await deps.connection
    .withDeadline(Date.now() + WAKE_TIMEOUT_MS, () => Promise.all(targets.map((env) => wake(deps, env))))
    .catch((err: unknown) => {
      deps.logger.warn({ err: (err as Error).message }, 'could not start or wake auto-promotion');
    });
}

async function wake(deps: AutoPromotionDeps, env: Pick<EnvironmentRow, 'name' | 'autoPromote'>): Promise<void> {
  if (!env.autoPromote) {
    await deps.client.workflow
      .getHandle(autoPromotionWorkflowId(env.name))
      .signal(autoPromoteWakeSignal)
      .catch((err: unknown) => {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      });
    return;
  }
  await deps.client.workflow.signalWithStart('autoPromotion', {
    ...autoPromotionStartOptions(env.name, deps.taskQueue),
    signal: autoPromoteWakeSignal,
    signalArgs: [],
  });
}

/**
 * A person's promotion into an environment that auto-promotes places a hold on its auto-promotion (who, why, which
 * deployment) — unless it promotes the release current in the environment auto-promotion follows, which is what
 * auto-promotion would promote next anyway (only sooner). Promotions by `system:` initiators never hold it. Runs in
 * the transaction that inserts the deployment, so no look of auto-promotion sees the one without the other.
 */
export async function holdForManualPromotion(
  tx: Tx,
  input: { environment: EnvironmentRow; deployment: DeploymentRow; actor: Actor; requestId: string },
): Promise<void> {
  const { environment: env, deployment: d, actor } = input;
  if (!env.autoPromote || actor.name.startsWith('system:')) return;
  const from = await getEnvironment(tx, { name: env.autoPromote.from });
  if (from?.currentReleaseId === d.releaseId) return;
  await holdAutoPromotion(tx, {
    environment: env.name,
    reason: `manual promotion of release ${d.releaseId} (deployment ${d.id}) by ${actor.name}`,
    actor: { name: actor.name, tokenId: actor.tokenId },
    deploymentId: d.id,
    requestId: input.requestId,
  });
}
