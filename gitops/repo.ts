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
import { constants, readFileSync } from 'node:fs';
import { access, chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runGit } from './git-runner.js';

// --- errors --------------------------------------------------------------------------------------------

export interface GitErrorDetails {
  /** The git subcommand that failed (`fetch`, `push`, …), never its arguments. */
  command?: string;
  exitCode?: number | null;
  /** git's stderr/porcelain output, credentials scrubbed, truncated. */
  output?: string;
}

/** Base of the engine's errors. `name` is fixed per class so Temporal's `nonRetryableErrorTypes` can match it. */
export abstract class GitError extends Error {
  abstract readonly retryable: boolean;
  readonly details: GitErrorDetails;
  constructor(message: string, details: GitErrorDetails = {}) {
    super(message);
    this.details = details;
  }
}

/** The remote refused our identity (bad/expired token, unknown key). Not retryable: fix the credentials. */
export class GitAuthError extends GitError {
  override readonly name = 'GitAuthError';
  readonly retryable = false;
}

/** Retrying cannot help: repository or branch not found, no permission, rejected by a hook, bad input. */
export class GitPermanentError extends GitError {
  override readonly name = 'GitPermanentError';
  readonly retryable = false;
}

/** Network, timeouts, server errors, lock contention: retry later. */
export class GitTransientError extends GitError {
  override readonly name = 'GitTransientError';
  readonly retryable = true;
}

/** Still losing the race to other writers after `maxAttempts`: retryable (a later attempt will usually win). */
export class GitConflictError extends GitError {
  override readonly name = 'GitConflictError';
  readonly retryable = true;
}

/** Error names Temporal must not retry (`nonRetryableErrorTypes`). */
export const NON_RETRYABLE_GIT_ERRORS = ['GitAuthError', 'GitPermanentError'] as const;

// --- inputs and outputs --------------------------------------------------------------------------------

export type GitCredentials =
  | { type: 'https-token'; /** default `x-access-token` (GitHub; GitLab accepts any) */ username?: string; token: string }
  | { type: 'ssh-key'; privateKeyPath: string };

export interface GitAuthor {
  name: string;
  email: string;
}

/** The committer of every commit the engine makes; the author is the caller's (who promoted). */
export const COMMITTER: GitAuthor = { name: 'Flow Controller', email: 'flow-controller@noreply.invalid' };

/** Trailer added to revert commits, naming the reverted commit. */
export const REVERTS_TRAILER = 'Flow-Controller-Reverts';

/** How far back the idempotency check looks (and the fetch depth). */
export const HISTORY_DEPTH = 200;

export interface RemoteInput {
  repoUrl: string;
  branch: string;
  /** Parent directory for the temporary clone (created if missing). */
  workDir: string;
  credentials?: GitCredentials;
  signal?: AbortSignal;
  /** Kill any single git command after this long (→ GitTransientError). Default 120 s. */
  commandTimeoutMs?: number;
}

export interface CommitInput extends RemoteInput {
  /** e.g. `{ 'Flow-Controller-Deployment': '42', 'Flow-Controller-Release': '<uuid>', 'Flow-Controller-Environment': 'staging' }` */
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

export type PushStatus = 'pushed' | 'skipped-existing-commit' | 'skipped-no-change';

export interface PushResult {
  /** The commit Argo CD should sync: the new one, the existing one with our trailer, or the unchanged head. */
  sha: string;
  status: PushStatus;
  attempts: number;
  /** Paths changed by the commit (empty when skipped). */
  changedFiles: string[];
}

export interface RevertCommitInput extends CommitInput {
  /** The commit to revert; must be on the branch. */
  sha: string;
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
  const idValue = checkCommitInput(input);
  const message = commitMessage(input.message, input.trailers);
  return transact(input, { createBranch: input.createBranch ?? false }, {
    // A revert commit repeats the promotion's trailers; it must never count as the promotion's own commit.
    match: { required: { [input.idempotencyTrailer]: idValue }, forbidden: [REVERTS_TRAILER] },
    message: () => message,
    apply: async (ws) => {
      const files = await input.render((p) => readWorkingFile(ws.dir, p));
      for (const f of files) {
        const abs = path.join(ws.dir, checkRepoPath(f.path));
        if (f.content === null) await rm(abs, { force: true });
        else {
          await mkdir(path.dirname(abs), { recursive: true });
          await writeFile(abs, f.content);
        }
      }
      // The clone holds nothing but the branch and these writes, so staging everything is exact — and a
      // deletion of a file that never existed is simply no change (a pathspec would make git fail).
      if (files.length > 0) await ws.git(['add', '--all']);
    },
  });
}

/**
 * Commits `git revert <sha>` on the branch (the abort path: restore the previous release in Git). Idempotent
 * by the idempotency trailer together with `Flow-Controller-Reverts: <sha>`; 'skipped-no-change' when the
 * branch already holds the reverted content.
 */
export async function revertCommit(input: RevertCommitInput): Promise<PushResult> {
  const idValue = checkCommitInput(input);
  if (!/^[0-9a-f]{40}$/.test(input.sha)) throw new GitPermanentError('revertCommit: sha must be a full 40-hex commit id');
  const trailers = { ...input.trailers, [REVERTS_TRAILER]: input.sha };
  let message = '';
  return transact(input, { createBranch: false }, {
    match: { required: { [input.idempotencyTrailer]: idValue, [REVERTS_TRAILER]: input.sha } },
    message: () => message,
    apply: async (ws) => {
      if (!(await ws.has(`${input.sha}^{commit}`)) && (await ws.isShallow())) {
        await ws.git(['fetch', '--quiet', '--no-tags', '--unshallow', 'origin', ws.refspec]);
      }
      const onBranch = await ws.git(['merge-base', '--is-ancestor', input.sha, 'HEAD'], { okCodes: [0, 1, 128] });
      if (onBranch.code !== 0) throw new GitPermanentError(`commit ${input.sha} is not on branch ${input.branch}`);
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
  });
}

/** Reads one file at the branch head (shallow fetch of depth 1). `content` is undefined when absent. */
export async function readFileAt(input: ReadFileAtInput): Promise<{ sha: string; content: string | undefined }> {
  const { path: file, ...remote } = input;
  const { sha, files } = await readFilesAt({ ...remote, paths: [file] });
  return { sha, content: files[file] };
}

/** Reads several files at the same branch head with one shallow fetch (one clone for all groups of an environment). */
export async function readFilesAt(input: ReadFilesAtInput): Promise<{ sha: string; files: Record<string, string | undefined> }> {
  const paths = input.paths.map(checkRepoPath);
  const ws = await openWorkspace(input);
  try {
    if (!(await ws.fetch(1))) throw new GitPermanentError(`branch ${input.branch} not found in the repository`);
    const sha = (await ws.git(['rev-parse', ws.remoteRef])).stdout.trim();
    // One listing for all paths, then one read per existing file (git commands dominate the cost).
    const listed = new Set(
      (await ws.git(['ls-tree', '--name-only', ws.remoteRef, '--', ...paths])).stdout.split('\n').filter((l) => l.length > 0),
    );
    const files: Record<string, string | undefined> = {};
    for (const p of paths) {
      files[p] = listed.has(p) ? (await ws.git(['cat-file', 'blob', `${ws.remoteRef}:${p}`])).stdout : undefined;
    }
    return { sha, files };
  } finally {
    await ws.dispose();
  }
}

// --- the transaction: clone → check trailer → apply → commit → push, retried on non-fast-forward -------

interface TxSpec {
  match: TrailerMatch;
  apply: (ws: Workspace) => Promise<void>;
  message: () => string;
}

async function transact(input: CommitInput, opts: { createBranch: boolean }, spec: TxSpec): Promise<PushResult> {
  const maxAttempts = Math.max(1, input.maxAttempts ?? 20);
  const ws = await openWorkspace(input, input.author);
  const lockKey = input.serializeInProcess === false ? undefined : `${input.repoUrl}\n${input.branch}`;
  try {
    return await withLock(lockKey, input.signal, () => attempts(input, opts, spec, ws, maxAttempts));
  } finally {
    await ws.dispose();
  }
}

async function attempts(input: CommitInput, opts: { createBranch: boolean }, spec: TxSpec, ws: Workspace, maxAttempts: number): Promise<PushResult> {
  for (let attempt = 1; ; attempt++) {
    input.signal?.throwIfAborted();
    const exists = await ws.fetch(HISTORY_DEPTH);
    if (exists) {
      await ws.git(['reset', '--quiet', '--hard', ws.remoteRef]);
      if (attempt > 1) await ws.git(['clean', '--quiet', '-ffdx']);
      const found = await ws.findCommit(spec.match);
      if (found) return { sha: found, status: 'skipped-existing-commit', attempts: attempt, changedFiles: [] };
    } else if (!opts.createBranch) {
      throw new GitPermanentError(`branch ${input.branch} not found in the repository`, { command: 'fetch' });
    }

    await spec.apply(ws);
    const changedFiles = (await ws.git(['diff', '--cached', '--name-only', '-z'])).stdout.split('\0').filter(Boolean);
    if (changedFiles.length === 0) {
      if (!exists) throw new GitPermanentError(`nothing to commit on the new branch ${input.branch}`);
      const head = (await ws.git(['rev-parse', 'HEAD'])).stdout.trim();
      return { sha: head, status: 'skipped-no-change', attempts: attempt, changedFiles: [] };
    }

    const msgFile = path.join(ws.root, 'COMMIT_MSG');
    await writeFile(msgFile, spec.message());
    await ws.git(['commit', '--quiet', '--no-verify', '--cleanup=verbatim', '-F', msgFile]);
    const sha = (await ws.git(['rev-parse', 'HEAD'])).stdout.trim();
    await input.onBeforePush?.({ attempt, sha });

    const pushed = await ws.push();
    if (pushed === 'ok') return { sha, status: 'pushed', attempts: attempt, changedFiles };
    if (attempt >= maxAttempts) {
      throw new GitConflictError(`push to ${input.branch} still rejected by concurrent writers after ${attempt} attempts`, {
        command: 'push',
      });
    }
    await sleep(backoffMs(attempt), input.signal);
  }
}

/** Tails of the per-repository queues of this process (see `serializeInProcess`). */
const queues = new Map<string, Promise<void>>();

async function withLock<T>(key: string | undefined, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
  if (key === undefined) return fn();
  const previous = queues.get(key) ?? Promise.resolve();
  let release = (): void => undefined;
  const mine = new Promise<void>((resolve) => (release = resolve));
  const tail = previous.then(() => mine);
  queues.set(key, tail);
  try {
    await abortable(previous, signal);
    return await fn();
  } finally {
    release();
    if (queues.get(key) === tail) queues.delete(key);
  }
}

function abortable(p: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return p;
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    void p.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

/** Full jitter over an exponential cap (50 ms, 100 ms, … 1 s): concurrent writers spread out instead of colliding again. */
function backoffMs(attempt: number): number {
  const cap = Math.min(1000, 25 * 2 ** attempt);
  return Math.round(cap / 4 + Math.random() * (cap * 3) / 4);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

// --- validation and message format ---------------------------------------------------------------------

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

/** `subject`, blank line, optional body, blank line, `Key: value` trailer lines (git interpret-trailers format). */
export function commitMessage(message: { subject: string; body?: string }, trailers: Record<string, string>): string {
  const subject = message.subject.trim();
  if (subject === '' || /[\r\n]/.test(subject)) throw new GitPermanentError('commit subject must be one non-empty line');
  const parts = [subject];
  const body = message.body?.trim();
  if (body) parts.push(body);
  const lines = Object.entries(trailers).map(([k, v]) => `${k}: ${v.trim()}`);
  if (lines.length > 0) parts.push(lines.join('\n'));
  return `${parts.join('\n\n')}\n`;
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
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw err;
  }
}

// --- the workspace: one temp clone and the git runner bound to it ---------------------------------------

interface TrailerMatch {
  /** Every key must be present with this value (keys case-insensitive, as git treats them). */
  required: Record<string, string>;
  /** Commits carrying any of these keys never match. */
  forbidden?: string[];
}

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

interface Workspace {
  root: string;
  dir: string;
  remoteRef: string;
  refspec: string;
  git: (args: string[], opts?: { okCodes?: number[] }) => Promise<RunResult>;
  scrub: (text: string) => string;
  /** Fetches the branch (shallow); false when the remote has no such branch. */
  fetch: (depth: number) => Promise<boolean>;
  findCommit: (match: TrailerMatch) => Promise<string | undefined>;
  push: () => Promise<'ok' | 'conflict'>;
  has: (rev: string) => Promise<boolean>;
  isShallow: () => Promise<boolean>;
  dispose: () => Promise<void>;
}

const BRANCH_RE = /^(?!\/|.*\/\/|.*\.\.|.*\/$|.*\.lock$|.*@\{)[A-Za-z0-9._/-]+$/;

/** Environment variables that would point git at another repository (e.g. when run from inside a hook). */
const REPO_ENV = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_COMMON_DIR', 'GIT_NAMESPACE', 'GIT_PREFIX', 'GIT_CONFIG_PARAMETERS', 'GIT_CONFIG_COUNT'];

async function openWorkspace(input: RemoteInput, author?: GitAuthor): Promise<Workspace> {
  checkRemote(input);
  if (input.credentials?.type === 'ssh-key') await checkKeyFile(input.credentials.privateKeyPath);
  await mkdir(input.workDir, { recursive: true });
  const root = await mkdtemp(path.join(input.workDir, 'fc-git-'));
  const dir = path.join(root, 'repo');
  const hooks = path.join(root, 'no-hooks');
  const secrets: string[] = [];
  const timeout = input.commandTimeoutMs ?? 120_000;

  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of REPO_ENV) delete env[k];
  Object.assign(env, {
    LC_ALL: 'C',
    LANGUAGE: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GCM_INTERACTIVE: 'never',
    GIT_TRACE_REDACT: '1',
    GIT_COMMITTER_NAME: COMMITTER.name,
    GIT_COMMITTER_EMAIL: COMMITTER.email,
    ...(author ? { GIT_AUTHOR_NAME: author.name, GIT_AUTHOR_EMAIL: author.email } : {}),
  });
  const config = [
    '-c', 'commit.gpgsign=false',
    '-c', `core.hooksPath=${hooks}`,
    '-c', 'gc.auto=0',
    '-c', 'maintenance.auto=false',
    '-c', 'advice.detachedHead=false',
    '-c', `init.defaultBranch=${input.branch}`,
    '-c', 'core.autocrlf=false',
  ];

  try {
    await mkdir(hooks);
    const creds = input.credentials;
    if (creds?.type === 'https-token') {
      // The token reaches git only through this askpass script's environment: never argv (visible in ps),
      // never the remote URL (written to .git/config), never a file.
      const askpass = path.join(root, 'askpass.sh');
      await writeFile(askpass, '#!/bin/sh\ncase "$1" in\n  Username*) printf \'%s\\n\' "$FC_GIT_USERNAME" ;;\n  *) printf \'%s\\n\' "$FC_GIT_TOKEN" ;;\nesac\n');
      await chmod(askpass, 0o700);
      const username = creds.username ?? 'x-access-token';
      Object.assign(env, { GIT_ASKPASS: askpass, SSH_ASKPASS: askpass, FC_GIT_USERNAME: username, FC_GIT_TOKEN: creds.token });
      config.push('-c', 'credential.helper=', '-c', 'core.askPass=');
      secrets.push(creds.token, encodeURIComponent(creds.token), Buffer.from(`${username}:${creds.token}`).toString('base64'));
    } else {
      delete env.GIT_ASKPASS;
      delete env.FC_GIT_TOKEN;
      if (creds?.type === 'ssh-key') {
        env.GIT_SSH_COMMAND = `ssh -i ${shellQuote(creds.privateKeyPath)} -o IdentitiesOnly=yes -o StrictHostKeyChecking=accept-new -o BatchMode=yes`;
      } else if (env.GIT_SSH_COMMAND === undefined) {
        env.GIT_SSH_COMMAND = 'ssh -o BatchMode=yes';
      }
    }
  } catch (err) {
    await rm(root, { recursive: true, force: true });
    throw err;
  }

  const scrub = (text: string): string => {
    let out = text;
    for (const s of secrets) if (s.length >= 4) out = out.split(s).join('***');
    return out.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@');
  };

  const run = (args: string[], okCodes = [0], cwd = dir): Promise<RunResult> =>
    new Promise((resolve, reject) => {
      input.signal?.throwIfAborted();
      runGit([...config, ...args], { cwd, env, maxBuffer: 256 * 1024 * 1024, timeout, ...(input.signal ? { signal: input.signal } : {}) }).then((r) => {
        if (input.signal?.aborted) return reject(input.signal.reason as Error);
        if (r.killed && r.code !== 0) {
          return reject(new GitTransientError(`git ${args[0] ?? ''} timed out after ${timeout} ms`, { command: args[0], exitCode: null }));
        }
        if (r.spawnError) return reject(new GitPermanentError(`could not run git (${r.spawnError})`, { command: args[0] }));
        if (!okCodes.includes(r.code)) return reject(classify(args[0] ?? '', r.code, scrub(`${r.stderr}\n${r.stdout}`)));
        resolve({ code: r.code, stdout: r.stdout, stderr: r.stderr });
      }, reject);
    });

  const remoteRef = `refs/remotes/origin/${input.branch}`;
  const refspec = `+refs/heads/${input.branch}:${remoteRef}`;

  try {
    await run(['init', '--quiet', dir], [0], root);
    await run(['remote', 'add', 'origin', input.repoUrl]);
  } catch (err) {
    await rm(root, { recursive: true, force: true });
    throw err;
  }

  const ws: Workspace = {
    root,
    dir,
    remoteRef,
    refspec,
    scrub,
    git: (args, opts) => run(args, opts?.okCodes),
    fetch: async (depth) => {
      const r = await run(['fetch', '--quiet', '--no-tags', `--depth=${depth}`, 'origin', refspec], [0, 128]);
      if (r.code === 0) return true;
      if (/couldn't find remote ref/i.test(r.stderr)) return false;
      throw classify('fetch', r.code, scrub(r.stderr));
    },
    findCommit: async (match) => {
      const log = await run(['log', `-n${HISTORY_DEPTH}`, '--format=%H%x1f%(trailers:only,unfold,separator=%x1e)%x1d', remoteRef]);
      for (const record of log.stdout.split('\x1d')) {
        const [sha, raw] = record.trim().split('\x1f');
        if (!sha || raw === undefined) continue;
        if (trailersMatch(parseTrailers(raw), match)) return sha;
      }
      return undefined;
    },
    push: async () => {
      const r = await run(['push', '--porcelain', '--no-verify', 'origin', `HEAD:refs/heads/${input.branch}`], [0, 1]);
      if (r.code === 0) return 'ok';
      const out = scrub(`${r.stdout}\n${r.stderr}`);
      // Lost the compare-and-swap on the ref: plain non-fast-forward, or two receive-packs racing on the lock.
      if (/\[rejected\].*\((fetch first|non-fast-forward|stale info)\)/.test(out)) return 'conflict';
      if (/\[remote rejected\].*\((failed to update ref|cannot lock ref|failed to lock|incorrect old value|.*is at .* but expected)/.test(out)) {
        return 'conflict';
      }
      if (/\[remote rejected\]/.test(out)) {
        const reason = /\[remote rejected\] \(([^)]*)\)/.exec(out)?.[1] ?? 'rejected';
        throw new GitPermanentError(`the remote rejected the push to ${input.branch}: ${reason}`, { command: 'push', exitCode: r.code, output: tail(out) });
      }
      throw classify('push', r.code, out);
    },
    has: async (rev) => (await run(['cat-file', '-e', rev], [0, 1, 128])).code === 0,
    isShallow: async () => (await run(['rev-parse', '--is-shallow-repository'])).stdout.trim() === 'true',
    dispose: () => rm(root, { recursive: true, force: true }),
  };
  return ws;
}

function checkRemote(input: RemoteInput): void {
  if (!BRANCH_RE.test(input.branch)) throw new GitPermanentError(`"${input.branch}" is not a valid branch name`);
  // A credential inside the URL would be written to .git/config and echoed by git: refuse it (without echoing it).
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/@]*@/i.test(input.repoUrl) && !/^ssh:\/\/[^/:@]+@/i.test(input.repoUrl)) {
    throw new GitPermanentError('repoUrl must not embed credentials; pass them as `credentials`');
  }
  if (input.repoUrl.startsWith('-')) throw new GitPermanentError('repoUrl must not start with "-"');
  if (input.credentials?.type === 'https-token' && input.credentials.token.trim() === '') {
    throw new GitAuthError('the HTTPS token is empty');
  }
}

async function checkKeyFile(file: string): Promise<void> {
  try {
    await access(file, constants.R_OK);
  } catch {
    throw new GitAuthError(`SSH private key ${file} is not readable`);
  }
}

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

function parseTrailers(raw: string): Array<[string, string]> {
  return raw
    .split('\x1e')
    .map((line) => {
      const i = line.indexOf(':');
      return i < 0 ? undefined : ([line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim()] as [string, string]);
    })
    .filter((t): t is [string, string] => t !== undefined);
}

function trailersMatch(trailers: Array<[string, string]>, match: TrailerMatch): boolean {
  const forbidden = new Set((match.forbidden ?? []).map((k) => k.toLowerCase()));
  if (trailers.some(([k]) => forbidden.has(k))) return false;
  return Object.entries(match.required).every(([k, v]) => trailers.some(([tk, tv]) => tk === k.toLowerCase() && tv === v));
}

// --- classification ------------------------------------------------------------------------------------

const AUTH_PATTERNS = [
  /authentication failed/i,
  /could not read (username|password)/i,
  /terminal prompts disabled/i,
  /permission denied \((publickey|password|keyboard-interactive)/i,
  /returned error: 401/i,
  /invalid username or password/i,
  /bad credentials/i,
  /HTTP Basic: Access denied/i,
];

/** Checked before the permanent patterns: a refused connection also prints "Could not read from remote repository". */
const TRANSIENT_PATTERNS = [
  /connection (refused|reset|timed out)/i,
  /could(n't| not) (resolve host|connect)/i,
  /failed to connect/i,
  /operation timed out/i,
  /early EOF/i,
  /RPC failed/i,
  /the remote end hung up unexpectedly/i,
  /returned error: (5\d\d|429)/i,
  /unable to create '.*\.lock'/i,
];

const PERMANENT_PATTERNS = [
  /returned error: 40[34]/i,
  /repository not found/i,
  /repository '[^']*' not found/i,
  /does not appear to be a git repository/i,
  /not a git repository/i,
  /permission denied/i,
  /access denied/i,
  /insufficient permission/i,
  /protected branch/i,
  /hook declined/i,
  /unable to find remote helper/i,
  /unsupported protocol/i,
  /host key verification failed/i,
  /not a valid (object name|branch name|ref)/i,
  /bad revision/i,
];

/** Maps a failed git command to an error class from its (scrubbed, C-locale) output. */
export function classify(command: string, exitCode: number, output: string): GitError {
  const details: GitErrorDetails = { command, exitCode, output: tail(output) };
  const classes = [
    [AUTH_PATTERNS, GitAuthError],
    [TRANSIENT_PATTERNS, GitTransientError],
    [PERMANENT_PATTERNS, GitPermanentError],
  ] as const;
  for (const [patterns, ErrorClass] of classes) {
    const re = patterns.find((p) => p.test(output));
    if (re) return new ErrorClass(`git ${command} failed: ${summaryLine(output, re)}`, details);
  }
  return new GitTransientError(`git ${command} failed: ${summaryLine(output)}`, details);
}

/** The line that decided the class (e.g. `ssh: connect to host … Connection refused`), else the first fatal line. */
function summaryLine(output: string, re?: RegExp): string {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  const line = (re && lines.find((l) => re.test(l))) ?? lines.find((l) => /^(fatal|error):/i.test(l)) ?? lines[0] ?? 'no output';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

function tail(text: string): string {
  const t = text.trim();
  return t.length > 2000 ? `…${t.slice(-2000)}` : t;
}
