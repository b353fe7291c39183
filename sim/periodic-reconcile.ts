// Argo CD's periodic reconciliation (`timeout.reconciliation`, 180 s by default): every application is refreshed
// once per period, each at its own offset in it, so its status (`reconciledAt`) changes and its watch streams get a
// MODIFIED event that often, as from a real Argo CD. The simulator does it only when asked (Simulator.reconcileEvery:
// the monitor benchmark), since tests want no events they did not cause. Pending refreshes end with reset or close.
import type { ArgoController } from './argo-controller.js';
import type { Scheduler } from './clock.js';

/** From now on, refreshes every application that exists now once per `periodMs` (an application deleted stops). */
export function reconcileEvery(controller: Pick<ArgoController, 'names' | 'lookup' | 'refresh'>, sched: Scheduler, periodMs: number): void {
  const tick = (name: string) => {
    if (!controller.names().includes(name)) return; // deleted meanwhile
    sched.schedule(periodMs, () => tick(name));
    void controller.refresh(controller.lookup(name)).catch(() => undefined);
  };
  controller.names().forEach((name, i, all) => sched.schedule(Math.floor((periodMs * (i + 1)) / all.length), () => tick(name)));
}
