// Replaying a batch of the commit queue (commit-queue.ts) that lost a push race onto the new remote head, instead
// of rendering every request again.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { PushResult, TxSpec } from './commit-types.js';
import { matchingIn, trailedHistory } from './ownership.js';
import type { Workspace } from './workspace.js';

/** What replayOnto needs of a queued request. */
export interface ReplayJob {
  settled: boolean;
  spec: TxSpec;
  result?: PushResult;
}

/** A batch as it was pushed when the push was rejected: the remote head it was made on, its requests, those that committed. */
export interface LostBatch {
  base: string;
  live: readonly ReplayJob[];
  made: readonly ReplayJob[];
}

/**
 * A batch that lost a push race, replayed onto the new remote head instead of rendered again: when the head
 * descends from the one the batch was made on, no commit that came in carries a trailer set one of the
 * requests looks for (its own earlier commit, pushed by another worker), and none touches a path a request
 * read or wrote (or a parent directory of one, or a path below one) — then rendering again would write the
 * same files, so the batch's commits are rebased (authors, messages and trailers kept) and each request's
 * result moves to its rebased commit. Returns the new head, or undefined (the caller renders everything
 * again): any doubt, a request that cannot say what it touched (a revert), or a failed rebase.
 */
export async function replayOnto(ws: Workspace, lost: LostBatch, live: readonly ReplayJob[]): Promise<string | undefined> {
  // Every commit of the batch must still be wanted: a request that failed since (out of attempts) must not land.
  if (lost.base === '' || lost.made.length === 0 || lost.made.some((j) => j.settled)) return undefined;
  if (live.length !== lost.live.length || live.some((j, i) => j !== lost.live[i])) return undefined;
  const touched: string[] = [];
  for (const job of live) {
    const paths = job.spec.touched?.();
    if (!paths) return undefined;
    touched.push(...paths);
  }
  const head = (await ws.git(['rev-parse', '--verify', '--quiet', `${ws.remoteRef}^{commit}`], { okCodes: [0, 1] })).stdout.trim();
  if (!/^[0-9a-f]{40,64}$/.test(head)) return undefined;
  if ((await ws.git(['merge-base', '--is-ancestor', lost.base, head], { okCodes: [0, 1, 128] })).code !== 0) return undefined;
  const foreign = await trailedHistory(ws, `${lost.base}..${head}`, Infinity);
  if (live.some((j) => matchingIn(foreign, j.spec.match).length > 0)) return undefined;
  const changed = (await ws.git(['diff', '--name-only', '--no-renames', '-z', lost.base, head])).stdout.split('\0').filter(Boolean);
  // Attributes and ignore rules change what is stored and staged: rendering again is the only exact answer then.
  if (changed.some((p) => /(^|\/)\.git(attributes|modules|ignore)$/.test(p))) return undefined;
  if (changed.some((p) => touched.some((t) => t === p || t.startsWith(`${p}/`) || p.startsWith(`${t}/`)))) return undefined;
  // Messages verbatim and nothing else moved, whatever the operator's git configuration says.
  const rebased = await ws.git(
    [
      '-c',
      'commit.cleanup=verbatim',
      '-c',
      'rebase.updateRefs=false',
      'rebase',
      '--quiet',
      '--no-autosquash',
      '--no-autostash',
      '--onto',
      head,
      lost.base,
    ],
    { okCodes: [0, 1, 2, 128, 129] },
  );
  if (rebased.code !== 0) {
    // A rebase left half done must be undone, or every later one in this clone fails: if even that fails, the
    // error marks the clone damaged (repo-cache.ts discards it).
    const inProgress = await Promise.all(
      ['rebase-merge', 'rebase-apply'].map((d) =>
        stat(path.join(ws.dir, '.git', d)).then(
          () => true,
          () => false,
        ),
      ),
    );
    if (inProgress.some(Boolean)) await ws.git(['rebase', '--abort']);
    return undefined;
  }
  const shas = (await ws.git(['rev-list', '--reverse', `${head}..HEAD`])).stdout.split('\n').filter(Boolean);
  if (shas.length !== lost.made.length) return undefined;
  // The batch's commits → their rebased counterparts.
  const rebasedOf = new Map<string, string>();
  lost.made.forEach((job, i) => {
    const old = job.result?.sha;
    const sha = shas[i] as string;
    if (old) rebasedOf.set(old, sha);
    if (job.result) job.result = { ...job.result, sha, ownCommit: sha };
  });
  for (const job of live) {
    const r = job.result;
    if (r?.status === 'skipped-no-change') {
      // It reports the head it found: the old remote head (now the new one) or a commit of the batch.
      job.result = { ...r, sha: r.sha === lost.base ? head : (rebasedOf.get(r.sha) ?? r.sha) };
    } else if (r?.status === 'skipped-existing-commit') {
      // Its own commit: one already on the remote stays; one made earlier in this batch (queued twice) moved.
      const own = rebasedOf.get(r.sha) ?? r.sha;
      job.result = { ...r, sha: own, ownCommit: own };
    }
  }
  return head;
}
