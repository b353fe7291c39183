// createActivities(deps): the factory that returns every activity function the worker registers.
// Workflows import the *type* `Activities` only (proxyActivities<Activities>). One file per step.
import type { ActivityDeps } from './deps.js';
import { createSystemCheckActivities } from './system-check.js';
import { createRecordActivities } from './record-transition.js';
import { createAdmissionActivities } from './admission.js';
import { createRenderValues } from './render-values.js';
import { createGitCommitPush } from './git-commit-push.js';
import { createArgocdRefresh } from './argocd-refresh.js';
import { createArgocdSync } from './argocd-sync.js';
import { createArgocdRefreshSync } from './argocd-refresh-sync.js';
import { createArgocdWait } from './argocd-wait.js';
import { createArgocdWaitVerify } from './argocd-wait-verify.js';
import { createVerifyImages } from './verify-images.js';
import { createRevertPush } from './revert-push.js';
import { createSweepOrphans } from './sweep-orphans.js';
import { createSyncWindowActivities } from './sync-window.js';
import { createSoakActivities } from './soak.js';
import { createVerifyGates } from './verify-gates.js';
import { createMonitorTick } from './monitor-tick.js';
import { createMonitorWatch } from './monitor-watch.js';
import { createNotifyActivities } from './notify.js';
import { createQueueActivities } from './promotion-queue.js';
import { createAutoPromotionActivities } from './auto-promotion.js';

export type { ActivityDeps } from './deps.js';

export function createActivities(deps: ActivityDeps) {
  const monitor = createMonitorTick(deps);
  return {
    ...createSystemCheckActivities(deps),
    ...createRecordActivities(deps),
    ...createAdmissionActivities(deps),
    ...createRenderValues(deps),
    ...createGitCommitPush(deps),
    ...createArgocdRefresh(deps),
    ...createArgocdSync(deps),
    ...createArgocdRefreshSync(deps),
    ...createArgocdWait(deps),
    ...createArgocdWaitVerify(deps),
    ...createVerifyImages(deps),
    ...createRevertPush(deps),
    ...createSweepOrphans(deps),
    ...createSyncWindowActivities(deps),
    ...createSoakActivities(deps),
    ...createVerifyGates(deps),
    ...monitor,
    ...createMonitorWatch(monitor.monitorTick),
    ...createNotifyActivities(deps),
    ...createQueueActivities(deps),
    ...createAutoPromotionActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
