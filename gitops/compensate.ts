// Compensation of an aborted promotion in Git: undo exactly what this deployment did, and nothing else.
//   1. Find the deployment's own commit on the branch: every trailer of the promotion (installation id,
//      environment, deployment, release), not a revert or restore commit. The sha the caller remembers is
//      never trusted: after a no-change push it is somebody else's head (audit finding 3), and after a push
//      whose activity failed the caller has none (finding 9) — the branch is the record.
//   2. Own commit found → it must touch only this environment's files (else refuse, GitPermanentError: a
//      commit with our trailers and foreign changes needs a human) → `git revert` it, idempotently.
//   3. No own commit (the push found nothing to change, or never reached the remote) → render the
//      environment's previous release and push that if Git differs ('restored-previous'); no previous
//      release, or Git already holds it → 'nothing-to-revert'.
import { GitPermanentError } from './errors.js';
import { commitsMatching, ownMatch, RESTORES_TRAILER, type CommitOwner } from './ownership.js';
import { pushRelease, revertCommit, type CommitInput, type PushReleaseInput } from './repo.js';
import { HISTORY_DEPTH, openWorkspace, type GitAuthor, type RemoteInput } from './workspace.js';

export type CompensationStatus = 'reverted' | 'already-reverted' | 'restored-previous' | 'nothing-to-revert';

export interface CompensationResult {
  /** The commit Argo CD should sync to restore the environment; null when Git needed no change. */
  sha: string | null;
  status: CompensationStatus;
  message: string;
  /** The deployment's own commit that was reverted (for 'reverted' / 'already-reverted'). */
  ownCommit?: string;
}

export interface CompensateInput extends RemoteInput {
  author: GitAuthor;
  /** The promotion's trailers (installation, environment, deployment, release) and the environment's paths. */
  own: CommitOwner;
  /** What the caller believes was pushed (old input shape); informational only, never reverted on its own say. */
  sha?: string;
  /** Message of the revert commit, given the reverted commit. */
  revertMessage: (sha: string) => { subject: string; body?: string };
  /** The previous release of the environment, or null when there was none. Its trailers get RESTORES_TRAILER. */
  previous: { render: PushReleaseInput['render']; trailers: Record<string, string>; message: { subject: string; body?: string } } | null;
  serializeInProcess?: boolean;
}

/** The newest commit on the branch carrying all `trailers` (not a revert/restore), or null. Ownership of paths is not checked here. */
export async function findOwnCommit(input: RemoteInput & Pick<CommitOwner, 'trailers'>): Promise<string | null> {
  const ws = await openWorkspace(input);
  try {
    if (!(await ws.fetch(HISTORY_DEPTH))) throw new GitPermanentError(`branch ${input.branch} not found in the repository`);
    return (await commitsMatching(ws, ws.remoteRef, ownMatch(input.trailers)))[0] ?? null;
  } finally {
    await ws.dispose();
  }
}

export async function compensatePush(input: CompensateInput): Promise<CompensationResult> {
  const { own, previous, revertMessage, sha: remembered, author, serializeInProcess, ...remote } = input;
  const deploymentKey = 'Flow-Controller-Deployment';
  const idempotencyTrailer = deploymentKey in own.trailers ? deploymentKey : Object.keys(own.trailers)[0];
  if (idempotencyTrailer === undefined) throw new GitPermanentError('compensation needs the promotion trailers');
  const commit: Omit<CommitInput, 'trailers'> = {
    ...remote,
    author,
    idempotencyTrailer,
    ...(serializeInProcess !== undefined ? { serializeInProcess } : {}),
  };

  const ownSha = await findOwnCommit({ ...remote, trailers: own.trailers });
  if (ownSha) {
    // revertCommit re-checks ownership in its own clone: our trailers AND only this environment's paths.
    const r = await revertCommit({ ...commit, trailers: own.trailers, sha: ownSha, owner: own, message: revertMessage(ownSha) });
    const status = r.status === 'pushed' ? 'reverted' : 'already-reverted';
    return {
      sha: r.sha,
      status,
      ownCommit: ownSha,
      message:
        status === 'reverted'
          ? `reverted this deployment's commit ${ownSha} by ${r.sha}`
          : `this deployment's commit ${ownSha} is already reverted (${r.sha})`,
    };
  }

  const note = remembered ? ` (${remembered} is not this deployment's commit; left alone)` : '';
  if (!previous) {
    return {
      sha: null,
      status: 'nothing-to-revert',
      message: `no commit of this deployment on ${input.branch} and no previous release${note}`,
    };
  }
  const trailers = { ...previous.trailers, [RESTORES_TRAILER]: previous.trailers[RESTORES_TRAILER] ?? 'previous-release' };
  const r = await pushRelease({ ...commit, trailers, render: previous.render, message: previous.message });
  if (r.status === 'skipped-no-change') {
    return { sha: null, status: 'nothing-to-revert', message: `${input.branch} already holds the previous release${note}` };
  }
  return { sha: r.sha, status: 'restored-previous', message: `restored the previous release by ${r.sha}${note}` };
}
