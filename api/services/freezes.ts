// The freeze state of an environment, as the API shows it and the promotion rules enforce it.
import { and, eq } from 'drizzle-orm';
import type { Client } from '@temporalio/client';
import type { Tx } from '../../db/client.js';
import { deployments } from '../../db/promotion-schema.js';
import type { Logger } from '../../lib/logger.js';
import { freezeChangedSignal } from '../../workflows/promotion-messages.js';
import { freezeWindowOf, listFreezeWindows } from '../../db/freezes.js';
import { freezeStateAt, nextOpenAt } from '../../domain/freeze.js';
import { ApiError } from '../errors.js';

export interface FreezeStateResult {
  frozen: boolean;
  blocks: Array<{ windowId: string; kind: 'deny' | 'allow'; environment: string | null; reason: string; until: string | null }>;
  nextOpenAt: string | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export async function freezeStateOf(tx: Tx, input: { environment: string; atMs: number }): Promise<FreezeStateResult> {
  const windows = (await listFreezeWindows(tx, { environment: input.environment })).map(freezeWindowOf);
  const state = freezeStateAt(windows, input.atMs);
  return {
    frozen: state.frozen,
    blocks: state.blocks.map((b) => ({ ...b, until: iso(b.until) })),
    nextOpenAt: state.frozen ? iso(nextOpenAt(windows, input.atMs)) : new Date(input.atMs).toISOString(),
  };
}

/**
 * 409 ENVIRONMENT_FROZEN when promotions to `environment` are frozen now, with the reasons and the next open
 * time; with `whenOpen`, only when no window will open again (the promotion would wait for ever).
 */
export async function assertNotFrozen(tx: Tx, input: { environment: string }, opts: { whenOpen?: boolean } = {}): Promise<void> {
  const state = await freezeStateOf(tx, { environment: input.environment, atMs: Date.now() });
  if (!state.frozen || (opts.whenOpen && state.nextOpenAt !== null)) return;
  const reasons = state.blocks.map((b) => b.reason).join('; ');
  throw new ApiError(
    'ENVIRONMENT_FROZEN',
    `promotions to ${input.environment} are frozen: ${reasons}${state.nextOpenAt ? `; next open at ${state.nextOpenAt}` : '; no open time ahead'}`,
    { environment: input.environment, blocks: state.blocks, nextOpenAt: state.nextOpenAt },
  );
}

/**
 * Tells the promotions waiting for a window (status scheduled) of `environment` (null: every environment) that
 * the windows changed, so they look again now: ending a freeze early releases them at once. Best effort: a
 * promotion that misses it looks again at its next timer (at most 5 minutes).
 */
export async function wakeScheduled(tx: Tx, client: Client, logger: Logger, input: { environment: string | null }): Promise<void> {
  const where =
    input.environment === null
      ? eq(deployments.status, 'scheduled')
      : and(eq(deployments.status, 'scheduled'), eq(deployments.environment, input.environment));
  const rows = await tx.select({ id: deployments.id, workflowId: deployments.workflowId }).from(deployments).where(where).limit(1000);
  await Promise.all(
    rows.map((r) =>
      client.workflow
        .getHandle(r.workflowId)
        .signal(freezeChangedSignal)
        .catch((err: unknown) =>
          logger.warn({ err, deploymentId: r.id }, 'could not tell a scheduled promotion that freeze windows changed'),
        ),
    ),
  );
}
