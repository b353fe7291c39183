// The simulator's own control of time and sync windows (not part of Argo CD's API): the /sim/admin routes that
// set an AppProject's sync windows and read or move the simulator's clock, which the windows are judged on.
import { z } from 'zod';
import type { SyncWindow } from '../integrations/argocd-schema.js';
import { ArgoApiError } from './argo-app.js';
import type { ProjectRegistry } from './argo-projects.js';
import type { AdjustableScheduler, Scheduler } from './clock.js';

const SyncWindowsBody = z.object({ project: z.string().min(1), windows: z.array(z.looseObject({})) });
const ClockBody = z.object({ advanceMs: z.number().int().min(0) });

/** Moves the simulator's clock forward (ManualScheduler: runs what falls due; real timers: shifts `now()`). */
export function advanceClock(sched: Scheduler, ms: number): void {
  if (!('advanceClock' in sched)) throw new ArgoApiError(400, 3, 'this scheduler cannot be moved');
  (sched as AdjustableScheduler).advanceClock(ms);
}

/**
 * `POST /sim/admin/projects/sync-windows {project, windows}` (replaces the project's `spec.syncWindows`, answers the
 * AppProject), `GET /sim/admin/clock` and `POST /sim/admin/clock {advanceMs}` (answer `{now}`); undefined for
 * any other route.
 */
export function windowsAdmin(
  route: string,
  body: unknown,
  deps: { projects: ProjectRegistry; sched: Scheduler },
): { status: number; body: unknown } | undefined {
  const clock = () => ({ status: 200, body: { now: new Date(deps.sched.now()).toISOString() } });
  switch (route) {
    case 'POST /projects/sync-windows': {
      const { project, windows } = SyncWindowsBody.parse(body);
      deps.projects.setSyncWindows(project, windows as SyncWindow[]);
      return { status: 200, body: deps.projects.projectJson(project) };
    }
    case 'GET /clock':
      return clock();
    case 'POST /clock':
      advanceClock(deps.sched, ClockBody.parse(body).advanceMs);
      return clock();
    default:
      return undefined;
  }
}
