// The commit queue: one writer per repository and branch in this process, and batching. Commit requests
// (pushRelease, revertCommit) that arrive while a push is in flight wait in the queue; the next turn takes all
// of them (up to `maxBatch`) and, in the cached clone of the repository (repo-cache.ts):
//   fetch once → hard reset to the remote head → for each request in arrival order: apply it, check for its
//   own earlier commit (trailers, on HEAD: the remote history plus this batch's commits), commit it with its
//   own message, trailers and author → push once.
// Every request still gets its own commit and SHA (or its own skipped result). A non-fast-forward rejection
// (a writer in another process) redoes the batch from a new fetch, with jittered backoff, up to each request's
// maxAttempts: its commits are replayed onto the new head (`git rebase`) when the commits that came in touch no
// path a request read or wrote and carry no request's trailers (commit-replay.ts), else every request is
// rendered again. A request that fails on its own (render error, refused revert, a failing test hook) fails
// alone: the clone is reset to the batch's last good commit and the others go on. A failure of the batch
// itself (fetch, push, a broken clone) fails every request of the batch; they are retried by their callers
// (Temporal), and the clone is cloned again when it was damaged — except a push the server refuses
// (a hook, push protection): then each request of the batch is pushed on its own, so only a guilty one fails.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GitConflictError, GitPermanentError } from './errors.js';
import { replayOnto } from './commit-replay.js';
import { matchingIn, trailedCommit, trailedHistory, type TrailedCommit } from './ownership.js';
import { RepoCache } from './repo-cache.js';
import { backoffMs, sleep } from './serialize.js';
import { gitPushRetries } from '../lib/metrics.js';
import type { PushResult, TxSpec } from './commit-types.js';
import { checkRemote, HISTORY_DEPTH, type GitAuthor, type RemoteInput, type Workspace } from './workspace.js';

export type { PushResult, PushStatus, TxSpec } from './commit-types.js';

export interface TxRequest {
  input: RemoteInput & {
    author: GitAuthor;
    maxAttempts?: number;
    onBeforePush?: (info: { attempt: number; sha: string }) => Promise<void> | void;
  };
  createBranch: boolean;
  spec: TxSpec;
}

interface Job extends TxRequest {
  resolve: (r: PushResult) => void;
  reject: (err: unknown) => void;
  settled: boolean;
  attempts: number;
  /** This attempt's outcome (delivered once the batch's push landed). */
  result?: PushResult;
  /** The final outcome, delivered when the batch has left the clone (its temporary files are gone by then). */
  outcome?: { result: PushResult } | { error: unknown };
}

export interface CommitQueueOptions {
  /** Requests per batch (default FC_GIT_BATCH, else 50). */
  maxBatch?: number;
  /** Runs a request in a fresh clone of its own: the first commit on a branch that does not exist yet. */
  fresh: (req: TxRequest) => Promise<PushResult>;
}

export class CommitQueue {
  private readonly pending = new Map<string, Job[]>();
  private readonly draining = new Set<string>();
  private readonly maxBatch: number;

  constructor(
    private readonly cache: RepoCache,
    private readonly opts: CommitQueueOptions,
  ) {
    this.maxBatch = Math.max(1, opts.maxBatch ?? (Number(process.env.FC_GIT_BATCH) || 50));
  }

  /** Queues one commit request; resolves with its own result once its batch has been pushed. */
  submit(req: TxRequest): Promise<PushResult> {
    const signal = req.input.signal;
    signal?.throwIfAborted();
    // The batch's workspace checks the first request's remote; each request is checked on its own too.
    checkRemote(req.input);
    const key = this.cacheKey(req.input);
    return new Promise<PushResult>((resolve, reject) => {
      const job: Job = { ...req, resolve, reject, settled: false, attempts: 0 };
      const onAbort = () => {
        // Still waiting: leave the queue. Already in a batch: the batch drops it at its next step.
        const list = this.pending.get(key);
        const i = list?.indexOf(job) ?? -1;
        if (i >= 0) list?.splice(i, 1);
        settle(job, undefined, signal?.reason ?? new Error('aborted'));
        deliver(job);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      job.resolve = (r) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(r);
      };
      job.reject = (e) => {
        signal?.removeEventListener('abort', onAbort);
        reject(e as Error);
      };
      const list = this.pending.get(key) ?? [];
      list.push(job);
      this.pending.set(key, list);
      if (!this.draining.has(key)) void this.drain(key);
    });
  }

  private cacheKey(input: RemoteInput): string {
    return `${input.workDir}\n${RepoCache.key(input)}`;
  }

  private async drain(key: string): Promise<void> {
    this.draining.add(key);
    try {
      // Requests made in the same tick (a burst of promotions) go into the first batch together.
      await new Promise((resolve) => setImmediate(resolve));
      for (;;) {
        const list = this.pending.get(key);
        if (!list || list.length === 0) break;
        const batch = list.splice(0, this.maxBatch);
        try {
          await this.runBatch(batch);
        } catch (err) {
          if (err instanceof BatchPushRefused) {
            // The server refused a push of several commits (a pre-receive hook, push protection, a protected path):
            // one of them may be the cause. Each request is pushed on its own, so only a guilty one fails.
            for (const job of batch) {
              if (job.settled) continue;
              try {
                await this.runBatch([job]);
              } catch (solo) {
                settle(job, undefined, solo);
              }
            }
          } else {
            for (const job of batch) settle(job, undefined, err);
          }
        }
        for (const job of batch) {
          settle(job, undefined, new Error('commit queue: the batch ended without an outcome for this request'));
          deliver(job);
        }
      }
    } finally {
      this.draining.delete(key);
      if (this.pending.get(key)?.length === 0) this.pending.delete(key);
    }
  }

  private async runBatch(batch: Job[]): Promise<void> {
    const first = batch[0];
    if (!first) return;
    // The batch's git commands run without any caller's signal: one caller's cancel must not abort the
    // others' push. A cancelled caller is dropped at its next step instead.
    const { signal: _signal, ...remote } = first.input;
    await this.cache.exclusive(remote, undefined, async (ws) => {
      // After a lost push race: the batch as it was pushed, and the remote head it was made on.
      let lost: { base: string; live: Job[]; made: Job[] } | undefined;
      for (let attempt = 1; ; attempt++) {
        const live = batch.filter((j) => !j.settled && !dropAborted(j));
        if (live.length === 0) return;
        const exists = await ws.fetch(HISTORY_DEPTH);
        if (!exists) return this.missingBranch(live);
        this.cache.markReady(remote);
        let made: Job[] = [];
        let base: string;
        const replayed = lost && (await replayOnto(ws, lost, live));
        // A request aborted while the batch was replayed: its commit must not land, so render again without it.
        if (lost && replayed && !lost.made.some((j) => j.settled)) {
          made = lost.made;
          base = replayed;
          for (const job of live) {
            job.attempts++;
            if (job.result) job.result = { ...job.result, attempts: job.attempts };
          }
        } else {
          await ws.git(['reset', '--quiet', '--hard', ws.remoteRef]);
          await ws.git(['clean', '--quiet', '-ffdx']);
          // HEAD's history with trailers, read once per attempt and extended by each commit of the batch: what
          // `git log -n HISTORY_DEPTH HEAD` would print before each request, without a git log per request.
          const history = await trailedHistory(ws, 'HEAD');
          base = history[0]?.sha ?? '';
          for (const job of live) {
            if (dropAborted(job)) continue;
            job.attempts++;
            job.result = undefined;
            try {
              if (await this.step(ws, job, history)) made.push(job);
            } catch (err) {
              settle(job, undefined, err);
              await restore(ws);
            }
          }
        }
        lost = undefined;
        // The test seam runs before the push, per commit; a failing one fails its request and the batch is
        // made again without it (its commit may sit under others').
        let hookFailed = false;
        for (const job of made) {
          try {
            await job.input.onBeforePush?.({ attempt: job.attempts, sha: job.result?.sha ?? '' });
          } catch (err) {
            settle(job, undefined, err);
            hookFailed = true;
          }
        }
        if (hookFailed) {
          for (const job of live) if (!job.settled) job.attempts--;
          continue;
        }
        let pushed: 'ok' | 'conflict' | undefined;
        if (made.length > 0) {
          try {
            pushed = await ws.push();
          } catch (err) {
            if (made.length > 1 && !(err instanceof GitConflictError)) throw new BatchPushRefused(err);
            throw err;
          }
        }
        if (made.length === 0 || pushed === 'ok') {
          // The branch's head now, which the clone holds: readers at it need no fetch (repo-cache.ts).
          const head = made.length > 0 ? made.at(-1)?.result?.sha : live.find((j) => j.result?.status === 'skipped-no-change')?.result?.sha;
          this.cache.markReady(remote, head);
          for (const job of live) if (!job.settled && job.result) settle(job, job.result);
          return;
        }
        for (const job of live) {
          if (!job.settled && job.attempts >= Math.max(1, job.input.maxAttempts ?? 20)) {
            settle(
              job,
              undefined,
              new GitConflictError(`push to ${job.input.branch} still rejected by concurrent writers after ${job.attempts} attempts`, {
                command: 'push',
              }),
            );
          }
        }
        if (live.some((j) => !j.settled)) gitPushRetries.inc();
        lost = { base, live: live.filter((j) => !j.settled), made };
        await sleep(backoffMs(attempt));
      }
    });
  }

  /** One request on top of the batch so far (`history`: HEAD's, extended here by the commit made); true when it made a commit. */
  private async step(ws: Workspace, job: Job, history: TrailedCommit[]): Promise<boolean> {
    const { spec } = job;
    if (spec.applyFirst) await spec.apply(ws);
    const found = await ownIn(ws, spec, matchingIn(history, spec.match));
    if (found) {
      job.result = { sha: found, ownCommit: found, status: 'skipped-existing-commit', attempts: job.attempts, changedFiles: [] };
      if (spec.applyFirst) await restore(ws);
      return false;
    }
    if (!spec.applyFirst) await spec.apply(ws);
    const changedFiles = (await ws.git(['diff', '--cached', '--name-only', '-z'])).stdout.split('\0').filter(Boolean);
    if (changedFiles.length === 0) {
      const head = (await ws.git(['rev-parse', 'HEAD'])).stdout.trim();
      job.result = { sha: head, ownCommit: null, status: 'skipped-no-change', attempts: job.attempts, changedFiles: [] };
      await restore(ws);
      return false;
    }
    const msgFile = path.join(ws.root, 'COMMIT_MSG');
    await writeFile(msgFile, spec.message());
    await ws.git(['commit', '--quiet', '--no-verify', '--cleanup=verbatim', '-F', msgFile], { author: job.input.author });
    const made = await trailedCommit(ws, 'HEAD');
    history.unshift(made);
    if (history.length > HISTORY_DEPTH) history.pop();
    const sha = made.sha;
    job.result = { sha, ownCommit: sha, status: 'pushed', attempts: job.attempts, changedFiles };
    return true;
  }

  /** The remote has no such branch: the first commit creates it in a fresh clone (rare); the others fail. */
  private async missingBranch(live: Job[]): Promise<void> {
    for (const job of live) {
      if (!job.createBranch) {
        settle(job, undefined, new GitPermanentError(`branch ${job.input.branch} not found in the repository`, { command: 'fetch' }));
        continue;
      }
      try {
        settle(job, await this.opts.fresh(job));
      } catch (err) {
        settle(job, undefined, err);
      }
    }
  }
}

/** A push of several requests' commits failed other than by a lost race: drain() pushes them one by one. */
class BatchPushRefused extends Error {
  constructor(override readonly cause: unknown) {
    super('the remote refused a push of several commits');
  }
}

/** The newest commit on `rev` whose trailers match and that `verify` accepts. */
export async function findOwn(ws: Workspace, spec: TxSpec, rev: string): Promise<string | undefined> {
  return ownIn(ws, spec, matchingIn(await trailedHistory(ws, rev), spec.match));
}

/** The first of `candidates` (commits whose trailers match, newest first) that `verify` accepts. */
async function ownIn(ws: Workspace, spec: TxSpec, candidates: string[]): Promise<string | undefined> {
  for (const sha of candidates) {
    if (!spec.verify || (await spec.verify(ws, sha))) return sha;
  }
  return undefined;
}

/** Back to the batch's last commit: a failed or skipped request leaves nothing behind. */
async function restore(ws: Workspace): Promise<void> {
  await ws.git(['reset', '--quiet', '--hard', 'HEAD']);
  await ws.git(['clean', '--quiet', '-ffdx']);
}

function dropAborted(job: Job): boolean {
  const signal = job.input.signal;
  if (!signal?.aborted) return false;
  settle(job, undefined, signal.reason ?? new Error('aborted'));
  return true;
}

function settle(job: Job, result: PushResult | undefined, err?: unknown): void {
  if (job.settled) return;
  job.settled = true;
  job.outcome = result ? { result } : { error: err };
}

function deliver(job: Job): void {
  const outcome = job.outcome;
  if (!outcome) return;
  job.outcome = undefined;
  if ('result' in outcome) job.resolve(outcome.result);
  else job.reject(outcome.error);
}
