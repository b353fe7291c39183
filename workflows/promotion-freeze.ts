// Waiting for a freeze window to end (workflow change `freeze-wait`, docs/governance.md): a promotion requested
// with `whenOpen` during a freeze is admitted and waits in status `scheduled` on a durable timer until the
// window opens, then goes on (re-checking every rule then: the hold check before each step); and a freeze that
// begins while a promotion waits for its approval holds it after the gate. Windows can be created or ended
// meanwhile, so the wait re-reads them at the expected opening, at least every RECHECK_MS, and at once when the
// API signals that windows changed (freezeChangedSignal: ending a freeze early releases its promotions).
// Break-glass promotions are never held (the check answers "not frozen" for them).
import { condition, setHandler } from '@temporalio/workflow';
import { freezeChangedSignal, type WorkflowStatus } from './promotion-messages.js';
import type { PromotionRun } from './promotion-run.js';
import { history } from './promotion-steps.js';

export const FREEZE_WAIT_PATCH = 'freeze-wait';

/** Longest sleep between two looks at the windows while scheduled. */
const RECHECK_MS = 5 * 60_000;

/** Listens for freezeChangedSignal: `changed` says a look at the windows is due. */
export class FreezeWatch {
  changed = false;
  constructor() {
    setHandler(freezeChangedSignal, () => {
      this.changed = true;
    });
  }
}

/** Whether the promotion starts frozen (then its first recorded status is `scheduled`). */
export async function frozenAtStart(run: PromotionRun): Promise<boolean> {
  return (await history.checkFreeze({ deploymentId: run.input.deploymentId })).frozen;
}

/**
 * Holds the promotion in `scheduled` while a freeze window is open; on opening, records `resume` (the status
 * it goes on in). Returns 'aborted' when an abort arrives while it waits.
 */
export async function holdWhileFrozen(run: PromotionRun, watch: FreezeWatch, resume: WorkflowStatus): Promise<'open' | 'aborted'> {
  // Already `scheduled` (recorded at start): the window may have opened since, and `resume` must still be recorded.
  let shown = run.status === 'scheduled' ? 'scheduled' : '';
  for (;;) {
    if (run.abortRequested()) return 'aborted';
    watch.changed = false;
    const f = await history.checkFreeze({ deploymentId: run.input.deploymentId });
    if (!f.frozen) {
      if (shown) {
        run.setStatus(resume);
        await run.record({ status: resume, scheduledFor: null, message: `freeze window closed; ${resume.replace(/_/g, ' ')}` });
      }
      return 'open';
    }
    const opens = f.nextOpenAtMs === null ? null : new Date(f.nextOpenAtMs).toISOString();
    const message = `scheduled: frozen (${f.reasons.join('; ')}); ${opens ? `starts when the window opens at ${opens}` : 'no open time ahead'}`;
    if (message !== shown) {
      shown = message;
      run.setStatus('scheduled');
      await run.record({ status: 'scheduled', scheduledFor: opens, message });
    }
    const untilOpen = f.nextOpenAtMs === null ? RECHECK_MS : Math.max(1000, f.nextOpenAtMs - Date.now());
    await condition(() => run.abortRequested() !== undefined || watch.changed, Math.min(untilOpen, RECHECK_MS));
  }
}
