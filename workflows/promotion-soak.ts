// The soak after the record step (patch soak-after-record; docs/verification-and-monitoring.md, "Soak and verified
// releases"). The deployment has succeeded and the environment is free; the workflow keeps running on a durable
// timer until soakUntil, checking every `checkEverySeconds` (an activity: still current, not superseded, no open
// incident, applications Synced/Healthy). A problem ends the soak at once (the activity moves the row); at
// soakUntil the last check makes the release `verified`. A cancellation (from the Temporal UI, or the API when a
// new promotion of the environment supersedes the soak) never compensates: the promotion has succeeded; the row
// ends `failed` with the reason and the workflow completes normally. The Temporal UI's current details say
// "soaking until …". Sandbox-safe: activities are types only.
import { CancellationScope, isCancellation, proxyActivities, proxyLocalActivities, setCurrentDetails, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { SoakCheckResult, SoakPlan } from '../activities/soak.js';
import { currentDetails, describe } from './promotion-support.js';
import type { PromotionRun } from './promotion-run.js';

/** Workflow change: the record step opens the verification row, and a soak follows it when the environment has one. */
export const SOAK_PATCH = 'soak-after-record';

/** Soak checks read Argo CD and Postgres: retried patiently (an outage only delays the verdict). */
function checks(stepSeconds: number) {
  return proxyActivities<Activities>({
    startToCloseTimeout: `${Math.max(5, stepSeconds)} seconds`,
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
    summary: 'soak check',
  });
}

const ending = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '5 seconds', maximumAttempts: 20 },
  summary: 'end soak',
});

function show(run: PromotionRun, line: string): void {
  setCurrentDetails(`${currentDetails(run)}\n\n**Soak:** ${line}`);
}

function outcome(v: SoakCheckResult): string {
  return v.state === 'verified' ? 'completed: the release is verified here' : `ended ${v.state}: ${v.reason ?? ''}`;
}

/** Soaks when the record step said so (state `soaking`); returns when the soak has ended, whatever its verdict. */
export async function soakAfterRecord(run: PromotionRun, plan: SoakPlan | undefined, stepSeconds: number): Promise<void> {
  if (!plan || plan.state !== 'soaking' || plan.soakUntilMs === null) return;
  const until = plan.soakUntilMs;
  const untilIso = new Date(until).toISOString();
  const everyMs = plan.checkEverySeconds * 1000;
  const { deploymentId } = run.input;
  const activities = checks(stepSeconds);
  show(run, `soaking until ${untilIso} (every ${plan.checkEverySeconds}s: still current, no open incident, applications Synced/Healthy)`);
  try {
    for (;;) {
      const remaining = until - Date.now();
      if (remaining <= 0) break;
      await sleep(Math.min(everyMs, remaining), { summary: `soaking until ${untilIso}` });
      const v = await activities.soakCheck({ deploymentId, final: false });
      if (v.state !== 'soaking') {
        show(run, outcome(v));
        return;
      }
    }
    show(run, outcome(await activities.soakCheck({ deploymentId, final: true })));
  } catch (err) {
    // Cancelled (or a check that can never pass): the soak ends, the succeeded promotion stays as it is.
    const why = isCancellation(err) ? 'the workflow was cancelled' : `the soak check failed: ${describe(err)}`;
    const v = await CancellationScope.nonCancellable(() => ending.endSoakCancelled({ deploymentId, why }));
    show(run, outcome(v));
  }
}
