// The commit queue's request and result types (commit-queue.ts, commit-replay.ts, repo.ts).
import type { TrailerMatch } from './trailers.js';
import type { Workspace } from './workspace.js';

/** What one commit request does in a clone (repo.ts builds these for pushRelease and revertCommit). */
export interface TxSpec {
  match: TrailerMatch;
  apply: (ws: Workspace) => Promise<void>;
  message: () => string;
  /** Look for our earlier commit after `apply` (so `verify` can compare it with the staged result). */
  applyFirst?: boolean;
  /**
   * The repository paths the last `apply` read or wrote. A request that reports them may be replayed onto a new
   * remote head after a lost push race when the commits that came in touch none of them (runBatch); without it, a
   * lost race always renders the request again.
   */
  touched?: () => readonly string[];
  /** A commit whose trailers match is ours only if this agrees (default: trailers suffice). */
  verify?: (ws: Workspace, sha: string) => Promise<boolean>;
}

export type PushStatus = 'pushed' | 'skipped-existing-commit' | 'skipped-no-change';

export interface PushResult {
  sha: string;
  ownCommit: string | null;
  status: PushStatus;
  attempts: number;
  changedFiles: string[];
}
