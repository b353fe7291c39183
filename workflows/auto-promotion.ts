// autoPromotion (id auto-promote:<env>): the durable follower of one environment's `autoPromote` rule
// (docs/governance.md "Auto-promotion"). Each look (activities/auto-promotion.ts) reads the rule, the hold, the
// upstream's releases and their soak on the database's clock, and queues a promotion by system:auto-promotion when
// one is due (the queue then respects the environment's other promotions, pauses, freezes and approvals). Between
// looks it sleeps on a durable timer — until the next soak ends or window opens, else 30 s — so a soak survives worker
// restarts; signals (an upstream promotion ended, a verification, a hold or resume, the configuration saved) wake it
// early. Ends when the environment no longer has `autoPromote`; continues as new after a bounded number of looks.
import { condition, continueAsNew, log, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import {
  AUTO_PROMOTE_RECHECK_SECONDS,
  autoPromoteWakeSignal,
  type AutoPromoteOutcome,
  type AutoPromotionInput,
  type AutoPromotionResult,
} from './auto-promotion-messages.js';

/** Looks per run before continue-as-new (about 8 history events each). */
export const AUTO_PROMOTE_LOOKS_PER_RUN = 100;

const { autoPromoteLook } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 5 },
  summary: 'look upstream; promote what is due',
});

export async function autoPromotion(input: AutoPromotionInput): Promise<AutoPromotionResult> {
  let woken = false;
  setHandler(autoPromoteWakeSignal, () => {
    woken = true;
  });
  // The look says how long to wait (30 s, or until a soak ends or a window opens, at most 5 min); the input may cap it.
  const cap = Math.max(1, input.recheckSeconds ?? 600);
  for (let look = 0; look < AUTO_PROMOTE_LOOKS_PER_RUN && !workflowInfo().continueAsNewSuggested; look++) {
    woken = false;
    let result: AutoPromoteOutcome;
    try {
      result = await autoPromoteLook({ environment: input.environment });
    } catch (err) {
      // Postgres or Temporal unreachable for a while: look again at the next timer.
      log.warn('auto-promotion could not look', { environment: input.environment, error: (err as Error).message });
      result = { outcome: 'waiting', state: 'unknown', message: 'could not look', recheckSeconds: AUTO_PROMOTE_RECHECK_SECONDS };
    }
    if (result.outcome === 'stopped') return { stopped: result.message };
    // Just promoted: the next look finds it in flight and waits for it.
    if (result.outcome === 'promoted') continue;
    await condition(() => woken, Math.min(cap, Math.max(1, result.recheckSeconds)) * 1000);
  }
  return continueAsNew<typeof autoPromotion>(input);
}
