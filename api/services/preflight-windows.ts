// Preflight check of an Argo CD application's sync windows: the windows of its AppProject that apply, whether
// they let the kind of sync a promotion needs run now (our explicit sync, or Argo's automated sync in auto-sync
// mode) and, when they block it, when they should open (integrations/argocd-sync-windows.ts).
import type { ArgoTarget } from '../../domain/environment.js';
import type { Application, ArgoClient } from '../../integrations/argocd.js';
import { usesAutomatedSync } from '../../integrations/argocd-selection.js';
import { describeBlock, readSyncWindowBlock } from '../../integrations/argocd-sync-windows.js';
import { describeWindow } from '../../integrations/sync-window-rules.js';
import { check, reason, type PreflightCheck } from './preflight-checks.js';

export async function windowsCheck(argo: ArgoClient, env: { argocd: ArgoTarget }, app: Application, id: string): Promise<PreflightCheck> {
  const name = app.metadata.name;
  const automated = usesAutomatedSync(env, app);
  try {
    const block = await readSyncWindowBlock(argo, { application: name, project: env.argocd.project, manual: !automated });
    if (!block.canSync) {
      const step = automated ? 'the convergence wait (Argo’s auto-sync is held back)' : 'the sync step';
      return check(
        'argocd',
        id,
        'warning',
        `a sync window blocks syncs now: ${describeBlock(block)}. A promotion parks at ${step} and resumes on its own when ` +
          'the window opens; promote inside the window, or change the AppProject’s syncWindows (or allow manualSync)',
      );
    }
    if (block.windows.length === 0) return check('argocd', id, 'ok', `no sync windows apply to ${name}`);
    const windows = block.windows.map(describeWindow).join(', ');
    return check('argocd', id, 'ok', `sync window(s) ${windows} apply to ${name}; syncs are allowed now`);
  } catch (err) {
    return check('argocd', id, 'warning', `sync windows of ${name} could not be read: ${reason(err)}`);
  }
}
