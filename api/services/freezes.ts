// The freeze state of an environment, as the API shows it and the promotion rules enforce it.
import type { Tx } from '../../db/client.js';
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

/** 409 ENVIRONMENT_FROZEN when promotions to `environment` are frozen now, with the reasons and the next open time. */
export async function assertNotFrozen(tx: Tx, input: { environment: string }): Promise<void> {
  const state = await freezeStateOf(tx, { environment: input.environment, atMs: Date.now() });
  if (!state.frozen) return;
  const reasons = state.blocks.map((b) => b.reason).join('; ');
  throw new ApiError(
    'ENVIRONMENT_FROZEN',
    `promotions to ${input.environment} are frozen: ${reasons}${state.nextOpenAt ? `; next open at ${state.nextOpenAt}` : '; no open time ahead'}`,
    { environment: input.environment, blocks: state.blocks, nextOpenAt: state.nextOpenAt },
  );
}
