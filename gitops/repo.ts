// GitOps engine, step "commit and push": writes rendered files to an environment repository as exactly one
// commit, safely under retries and concurrent writers. Every call works in a fresh shallow clone in a temp
// directory (removed afterwards), so nothing is shared between activities, environments or workers.
//   - Idempotent: the commit carries trailers naming the promotion; a call that finds its idempotency trailer
//     in the branch's recent history returns that commit and pushes nothing (retry after a crash).
//   - Race-safe: a non-fast-forward rejection (another writer got there first) → fetch, reset to the new
//     head, re-check the trailer, re-render, retry — bounded, with jittered backoff. Git's compare-and-swap
//     on the ref is the only lock, so environments sharing a repository never lose or duplicate a commit.
//   - Errors are classified (GitAuthError / GitPermanentError: do not retry; GitTransientError /
//     GitConflictError: retry), and never carry a credential: git's output is scrubbed of the token first.
// Plain `git` through execFile (not simple-git) so that the environment, arguments and error text are
// fully under our control — that is what keeps the token out of argv, disk and messages.
// The pieces live beside it: errors.ts (error classes and classification), workspace.ts (the temporary clone
// and all credential handling), trailers.ts (commit-message format and trailer matching).
import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GitAuthError, GitConflictError, GitError, GitPermanentError } from './errors.js';
import {
  notOwnedReason,
  ownMatch,
  pathsChangedBy,
  refuseSymlink,
  REVERTS_TRAILER,
  symlinksInIndex,
  pathsInTree,
  type CommitOwner,
} from './ownership.js';
import { CommitQueue, findOwn, type PushResult, type TxRequest, type TxSpec } from './commit-queue.js';
import { RepoCache } from './repo-cache.js';
import { readObjects } from './cat-file.js';
import { backoffMs, sleep, withLock } from './serialize.js';
import { commitMessage } from './trailers.js';
import { gitPushRetries } from '../lib/metrics.js';
import { HISTORY_DEPTH, openWorkspace, type GitAuthor, type RemoteInput, type Workspace } from './workspace.js';

export { REVERTS_TRAILER, RESTORES_TRAILER } from './ownership.js';

// --- inputs and outputs --------------------------------------------------------------------------------

export interface CommitInput extends RemoteInput {
  /**
   * e.g. `{ 'Flow-Controller-Installation': '<uuid>', 'Flow-Controller-Environment': 'staging',
   * 'Flow-Controller-Deployment': '42', 'Flow-Controller-Release': '<uuid>' }`. A push finds its own earlier
   * commit only by ALL of them (and its tree); a trailer alone is forgeable.
   */
  trailers: Record<string, string>;
  /** The trailer key whose value identifies this promotion; must be one of `trailers`. */
  idempotencyTrailer: string;
  author: GitAuthor;
  /** Attempts against concurrent writers (non-fast-forward). Default 20. */
  maxAttempts?: number;
  /**
   * Queue calls for the same repository and branch inside this process (default true), so that one worker's
   * concurrent promotions do not race each other; writers in other processes are still handled by the
   * non-fast-forward retry. Tests set false to exercise that race in one process.
   */
  serializeInProcess?: boolean;
  /** Test seam: another worker's queue (its own clone cache) instead of this process's. */
  commitQueue?: CommitQueue;
  /** Test seam: runs after the commit is made and before each push. */
  onBeforePush?: (info: { attempt: number; sha: string }) => Promise<void> | void;
}

export type FileChange = { path: string; content: string | null };

export interface PushReleaseInput extends CommitInput {
  /**
   * Produces the files of this promotion from the branch's current content (called again on every retry,
   * against the new head). `content: null` deletes the file.
   */
  render: (readFile: (path: string) => string | undefined) => FileChange[] | Promise<FileChange[]>;
  message: { subject: string; body?: string };
  /** Create the branch (as an orphan) when the remote does not have it. Default false: a missing branch is permanent. */
  createBranch?: boolean;
}

export type { PushResult, PushStatus } from './commit-queue.js';

export interface RevertCommitInput extends CommitInput {
  /** The commit to revert; must be on the branch. */
  sha: string;
  /** When set, the commit must carry these trailers and touch only owned paths; otherwise GitPermanentError. */
  owner?: CommitOwner;
  /** Default: `Revert "<original subject>"` / `This reverts commit <sha>.` */
  message?: { subject: string; body?: string };
}

export interface ReadFileAtInput extends RemoteInput {
  path: string;
}

export interface ReadFilesAtInput extends RemoteInput {
  paths: string[];
}

// --- public operations ---------------------------------------------------------------------------------

/** Renders and pushes one promotion commit; see the module header for the guarantees. */
export async function pushRelease(input: PushReleaseInput): Promise<PushResult> {
  checkCommitInput(input);
  const message = commitMessage(input.message, input.trailers);
  let last: { files: FileChange[]; touched: string[] } = { files: [], touched: [] };
  return transact(
    input,
    { createBranch: input.createBranch ?? false },
    {
      // Every trailer must match, and a revert/restore commit repeating them never counts as the promotion's own.
      match: ownMatch(input.trailers),
      message: () => message,
      applyFirst: true,
      touched: () => last.touched,
      apply: async (ws) => {
        last = await renderSafely(ws, input.render);
        for (const f of last.files) {
          const abs = path.join(ws.dir, f.path);
          if (f.content === null) await rm(abs, { force: true });
          else {
            await mkdir(path.dirname(abs), { recursive: true });
            await writeFile(abs, f.content);
          }
        }
        // The clone holds nothing but the branch and these writes, so staging everything is exact — and a
        // deletion of a file that never existed is simply no change (a pathspec would make git fail).
        if (last.files.length > 0) await ws.git(['add', '--all']);
      },
      // Ours only if it changes nothing but the rendered files and holds exactly what we render now.
      verify: async (ws, sha) => {
        const paths = last.files.map((f) => f.path);
        const changed = await pathsChangedBy(ws, sha);
        if (changed === undefined || changed.some((p) => !paths.includes(p))) return false;
        if (paths.length === 0) return true;
        const diff = await ws.git(['diff', '--cached', '--quiet', sha, '--', ...paths], { okCodes: [0, 1] });
        return diff.code === 0;
      },
    },
  );
}

/**
 * Runs the caller's render over the working tree, refusing symbolic links (ownership.ts) among the paths it
 * read or writes — checked before a render error is reported, so a link's target never reaches a message.
 */
async function renderSafely(ws: Workspace, render: PushReleaseInput['render']): Promise<{ files: FileChange[]; touched: string[] }> {
  const read = new Set<string>();
  let files: FileChange[] = [];
  let failure: unknown;
  try {
    files = await render((p) => {
      read.add(checkRepoPath(p));
      return readWorkingFile(ws.dir, p);
    });
    for (const f of files) checkRepoPath(f.path);
  } catch (err) {
    failure = err;
  }
  // Only paths that passed checkRepoPath reach git (a failed check leaves `files` out).
  const paths = [...read, ...(failure === undefined ? files.map((f) => f.path) : [])];
  const links = await symlinksInIndex(ws, paths);
  for (const p of paths) refuseSymlink(p, links);
  if (failure !== undefined) throw failure;
  return { files, touched: paths };
}

/**
 * Commits `git revert <sha>` on the branch (the abort path: restore the previous release in Git). Idempotent
 * by the idempotency trailer together with `Flow-Controller-Reverts: <sha>`; 'skipped-no-change' when the
 * branch already holds the reverted content.
 */
export async function revertCommit(input: RevertCommitInput): Promise<PushResult> {
  const idValue = checkCommitInput(input);
  const owner = input.owner;
  if (!/^[0-9a-f]{40}$/.test(input.sha)) throw new GitPermanentError('revertCommit: sha must be a full 40-hex commit id');
  const trailers = { ...input.trailers, [REVERTS_TRAILER]: input.sha };
  let message = '';
  return transact(
    input,
    { createBranch: false },
    {
      match: { required: { [input.idempotencyTrailer]: idValue, [REVERTS_TRAILER]: input.sha } },
      message: () => message,
      apply: async (ws) => {
        if (!(await ws.has(`${input.sha}^{commit}`)) && (await ws.isShallow())) {
          await ws.git(['fetch', '--quiet', '--no-tags', '--unshallow', 'origin', ws.refspec]);
        }
        const onBranch = await ws.git(['merge-base', '--is-ancestor', input.sha, 'HEAD'], { okCodes: [0, 1, 128] });
        if (onBranch.code !== 0) throw new GitPermanentError(`commit ${input.sha} is not on branch ${input.branch}`);
        const notOwned = owner && (await notOwnedReason(ws, input.sha, owner));
        if (notOwned) throw new GitPermanentError(`refusing to revert: ${notOwned}`, { command: 'revert' });
        const parents = (await ws.git(['rev-list', '--parents', '-n', '1', input.sha])).stdout.trim().split(' ').length - 1;
        const reverted = await ws.git(['revert', '--no-commit', ...(parents > 1 ? ['-m', '1'] : []), input.sha], { okCodes: [0, 1] });
        if (reverted.code !== 0) {
          throw new GitPermanentError(`reverting ${input.sha} conflicts with later changes on ${input.branch}`, {
            command: 'revert',
            exitCode: reverted.code,
            output: ws.scrub(reverted.stderr),
          });
        }
        const subject = (await ws.git(['log', '-1', '--format=%s', input.sha])).stdout.trim();
        message = commitMessage(input.message ?? { subject: `Revert "${subject}"`, body: `This reverts commit ${input.sha}.` }, trailers);
      },
    },
  );
}

/** Reads one file at the branch head (shallow fetch of depth 1). `content` is undefined when absent. */
export async function readFileAt(input: ReadFileAtInput): Promise<{ sha: string; content: string | undefined }> {
  const { path: file, ...remote } = input;
  const { sha, files } = await readFilesAt({ ...remote, paths: [file] });
  return { sha, content: files[file] };
}

/** Reads several files at the same branch head with one shallow fetch (one clone for all groups of an environment). */
export async function readFilesAt(input: ReadFilesAtInput): Promise<{ sha: string; files: Record<string, string | undefined> }> {
  const found = await readBranchFiles(input);
  if (!found) throw new GitPermanentError(`branch ${input.branch} not found in the repository`);
  return found;
}

/**
 * readFilesAt for callers that tell "the remote answered but has no such branch" (undefined) from every other
 * failure (thrown GitError: credentials refused, unreachable, …): the preflight checks.
 */
export async function readBranchFiles(
  input: ReadFilesAtInput,
): Promise<{ sha: string; files: Record<string, string | undefined> } | undefined> {
  const paths = input.paths.map(checkRepoPath);
  if (cacheOff()) return readFresh(input, paths);
  try {
    return await cache.atRemoteHead(
      input,
      HISTORY_DEPTH,
      (ws, rev) => (rev === undefined ? Promise.resolve(undefined) : readAt(ws, rev, paths)),
      (read) => read?.sha,
    );
  } catch (err) {
    // A clone that broke under the read (discarded by a writer meanwhile, damaged, its files removed): read from a
    // fresh one, which reports the remote's own errors (credentials, reachability) as before; the next read fetches
    // into the cached clone again instead of trusting the commit it was known to hold.
    if (err instanceof GitError && !(err instanceof GitAuthError) && err.details.command !== undefined) {
      cache.forgetHead(input);
      return readFresh(input, paths);
    }
    throw err;
  }
}

async function readFresh(
  input: RemoteInput,
  paths: string[],
): Promise<{ sha: string; files: Record<string, string | undefined> } | undefined> {
  const ws = await openWorkspace(input);
  try {
    if (!(await ws.fetch(1))) return undefined;
    return await readAt(ws, ws.remoteRef, paths);
  } finally {
    await ws.dispose();
  }
}

/**
 * The files at `rev` (a commit id, or the remote-tracking ref while nobody else moves it) and the commit's id.
 * Git processes dominate the cost: one listing for the symbolic links and the paths that exist, then one
 * `cat-file --batch` for the commit and every existing file (cat-file.ts; one process per file when the batch
 * cannot be split).
 */
async function readAt(ws: Workspace, rev: string, paths: string[]): Promise<{ sha: string; files: Record<string, string | undefined> }> {
  const { links, present: listed } = await pathsInTree(ws, rev, paths);
  for (const p of paths) refuseSymlink(p, links);
  const wanted = paths.filter((p) => listed.has(p));
  const files: Record<string, string | undefined> = Object.fromEntries(paths.map((p) => [p, undefined]));
  const batch = await readObjects(ws, [`${rev}^{commit}`, ...wanted.map((p) => `${rev}:${p}`)]);
  const sha = batch?.[0]?.oid;
  if (batch && sha !== undefined && wanted.every((_, i) => batch[i + 1]?.type === 'blob')) {
    wanted.forEach((p, i) => (files[p] = batch[i + 1]?.content));
    return { sha, files };
  }
  const resolved = /^[0-9a-f]{40,64}$/.test(rev) ? rev : (await ws.git(['rev-parse', `${rev}^{commit}`])).stdout.trim();
  for (const p of wanted) files[p] = (await ws.git(['cat-file', 'blob', `${resolved}:${p}`])).stdout;
  return { sha: resolved, files };
}

// --- the transaction ------------------------------------------------------------------------------------
// By default the commit queue of the repository and branch (commit-queue.ts), in the cached clone; with
// `serializeInProcess: false` (another process's writer, tests) or FC_GIT_CACHE=off a fresh clone of its own,
// no queue: clone → check trailer → apply → commit → push, retried on non-fast-forward.

const cache = new RepoCache();
const queue = new CommitQueue(cache, { fresh: (req) => transactFresh(req) });

/** The process's clone cache (tests and diagnostics). */
export function repoCache(): RepoCache {
  return cache;
}

function cacheOff(): boolean {
  return process.env.FC_GIT_CACHE === 'off';
}

async function transact(input: CommitInput, opts: { createBranch: boolean }, spec: TxSpec): Promise<PushResult> {
  const req = { input, createBranch: opts.createBranch, spec };
  if (input.serializeInProcess === false) return transactFresh(req);
  // The engine before the cache and the queue (kept as a switch to measure against): a fresh clone per
  // request, requests queued one by one per repository and branch.
  if (cacheOff()) return withLock(`${input.repoUrl}\n${input.branch}`, input.signal, () => transactFresh(req));
  return (input.commitQueue ?? queue).submit(req);
}

async function transactFresh(req: TxRequest): Promise<PushResult> {
  const { input } = req;
  const maxAttempts = Math.max(1, input.maxAttempts ?? 20);
  const ws = await openWorkspace(input, input.author);
  try {
    return await attempts(input, { createBranch: req.createBranch }, req.spec, ws, maxAttempts);
  } finally {
    await ws.dispose();
  }
}

async function attempts(
  input: TxRequest['input'],
  opts: { createBranch: boolean },
  spec: TxSpec,
  ws: Workspace,
  maxAttempts: number,
): Promise<PushResult> {
  for (let attempt = 1; ; attempt++) {
    input.signal?.throwIfAborted();
    const exists = await ws.fetch(HISTORY_DEPTH);
    if (exists) {
      await ws.git(['reset', '--quiet', '--hard', ws.remoteRef]);
      if (attempt > 1) await ws.git(['clean', '--quiet', '-ffdx']);
      if (spec.applyFirst) await spec.apply(ws);
      const found = await findOwn(ws, spec, ws.remoteRef);
      if (found) return { sha: found, ownCommit: found, status: 'skipped-existing-commit', attempts: attempt, changedFiles: [] };
      if (!spec.applyFirst) await spec.apply(ws);
    } else if (!opts.createBranch) {
      throw new GitPermanentError(`branch ${input.branch} not found in the repository`, { command: 'fetch' });
    } else {
      await spec.apply(ws);
    }

    const changedFiles = (await ws.git(['diff', '--cached', '--name-only', '-z'])).stdout.split('\0').filter(Boolean);
    if (changedFiles.length === 0) {
      if (!exists) throw new GitPermanentError(`nothing to commit on the new branch ${input.branch}`);
      const head = (await ws.git(['rev-parse', 'HEAD'])).stdout.trim();
      return { sha: head, ownCommit: null, status: 'skipped-no-change', attempts: attempt, changedFiles: [] };
    }

    const msgFile = path.join(ws.root, 'COMMIT_MSG');
    await writeFile(msgFile, spec.message());
    await ws.git(['commit', '--quiet', '--no-verify', '--cleanup=verbatim', '-F', msgFile]);
    const sha = (await ws.git(['rev-parse', 'HEAD'])).stdout.trim();
    await input.onBeforePush?.({ attempt, sha });

    const pushed = await ws.push();
    if (pushed === 'ok') return { sha, ownCommit: sha, status: 'pushed', attempts: attempt, changedFiles };
    if (attempt >= maxAttempts) {
      throw new GitConflictError(`push to ${input.branch} still rejected by concurrent writers after ${attempt} attempts`, {
        command: 'push',
      });
    }
    gitPushRetries.inc();
    await sleep(backoffMs(attempt), input.signal);
  }
}

// --- validation ----------------------------------------------------------------------------------------

const TRAILER_KEY_RE = /^[A-Za-z0-9][A-Za-z0-9-]*$/;

function checkCommitInput(input: CommitInput): string {
  const entries = Object.entries(input.trailers);
  for (const [k, v] of entries) {
    if (!TRAILER_KEY_RE.test(k)) throw new GitPermanentError(`trailer key "${k}" must be letters, digits and '-'`);
    if (v.trim() === '' || /[\r\n]/.test(v)) throw new GitPermanentError(`trailer ${k} must be a non-empty single line`);
  }
  const idValue = input.trailers[input.idempotencyTrailer];
  if (idValue === undefined) throw new GitPermanentError(`idempotency trailer ${input.idempotencyTrailer} is missing from trailers`);
  if (!input.author.name.trim() || !input.author.email.trim()) throw new GitPermanentError('author name and email are required');
  return idValue.trim();
}

/** A repository-relative, normalized path outside `.git`. */
function checkRepoPath(p: string): string {
  const parts = p.split('/');
  if (p.startsWith('/') || p.includes('\\') || parts.some((s) => s === '' || s === '.' || s === '..') || parts[0] === '.git') {
    throw new GitPermanentError(`"${p}" is not a normalized path inside the repository`);
  }
  return p;
}

function readWorkingFile(dir: string, p: string): string | undefined {
  try {
    return readFileSync(path.join(dir, checkRepoPath(p)), 'utf8');
  } catch (err) {
    if (['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw err;
  }
}
