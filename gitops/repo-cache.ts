// A per-process cache of local clones, one per repository, branch and credential: the engine fetches
// incrementally into a clone it keeps instead of `git init` + a fresh fetch for every step of every promotion.
//   - Safe: one writer per clone at a time (`exclusive`, an in-process lock); every writer starts from a fresh
//     fetch and a hard reset (commit-queue.ts), so nothing a previous user left behind survives. Readers
//     (`atRemoteHead`) ask the remote for its head (`ls-remote`) and read objects by id without the lock; only
//     when the head is not the commit the clone is known to hold (the last one fetched or pushed) do they
//     fetch, under the lock.
//   - Self-healing: stale lock files are removed before each exclusive use (nobody else uses this process's
//     clone), and a clone whose git commands fail for a local reason is discarded and cloned again next time.
//     A rewritten (force-pushed) remote needs nothing special: the fetch refspec is forced and each use resets.
//   - Bounded: at most `maxRepos` clones (FC_GIT_CACHE_REPOS, default 16), least recently used evicted first;
//     and each clone is discarded after `reuses` exclusive uses (FC_GIT_CACHE_REUSES, default 500): clones run
//     with gc off (no gc pause inside a promotion), so instead of garbage-collecting, a clone that has fetched
//     hundreds of commits is replaced by a fresh shallow one.
//   - Credentials as workspace.ts handles them: every use opens its own workspace session (askpass script,
//     0600 key file, hooks directory) in a temporary directory that is removed afterwards; the clone holds the
//     remote URL only. The cache directory is private (mkdtemp, 0700) under the temp dir (FC_GIT_CACHE_DIR),
//     removed when the process exits. Clones are keyed by a hash of the credential, never stored.
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GitAuthError, GitConflictError, GitError } from './errors.js';
import { abortable } from './serialize.js';
import { openWorkspace, type GitAuthor, type RemoteInput, type Workspace } from './workspace.js';

export interface RepoCacheOptions {
  /** Parent of the cache directory (default FC_GIT_CACHE_DIR, else the OS temp dir). */
  dir?: string;
  /** Clones kept at most (default FC_GIT_CACHE_REPOS, else 16). */
  maxRepos?: number;
  /** Exclusive uses of one clone before it is replaced by a fresh one (default FC_GIT_CACHE_REUSES, else 500). */
  reuses?: number;
}

interface Entry {
  dir: string;
  /** Tail of the lock queue. */
  tail: Promise<void>;
  /** Holders and waiters (an entry in use is never evicted). */
  busy: number;
  /** A fetch has populated the clone. */
  ready: boolean;
  /** Exclusive uses since the clone was made. */
  uses: number;
  /** A commit the clone is known to hold (the last one fetched or pushed); reset with the clone. */
  head: string | undefined;
}

const roots = new Set<string>();
let exitHook = false;

/** Commands that talk to the remote: their failures say nothing about the clone's health (unless the output does). */
const NETWORK_COMMANDS = new Set(['fetch', 'push', 'ls-remote']);
const LOCAL_DAMAGE = /corrupt|bad object|not a git repository|index\.lock|shallow|unable to (read|write|create)|cannot lock|loose object/i;

export class RepoCache {
  private root: Promise<string> | undefined;
  private readonly entries = new Map<string, Entry>();
  private seq = 0;
  /** Fetches readers made (tests, diagnostics): reads at a commit the clone is known to hold make none. */
  readerFetches = 0;
  readonly maxRepos: number;
  readonly reuses: number;

  constructor(private readonly opts: RepoCacheOptions = {}) {
    this.maxRepos = Math.max(1, opts.maxRepos ?? (Number(process.env.FC_GIT_CACHE_REPOS) || 16));
    this.reuses = Math.max(1, opts.reuses ?? (Number(process.env.FC_GIT_CACHE_REUSES) || 500));
  }

  /** Which clone serves `input`: repository, branch and (hashed) credential. */
  static key(input: RemoteInput): string {
    const c = input.credentials;
    const cred =
      c === undefined
        ? 'none'
        : createHash('sha256')
            .update(
              JSON.stringify(
                c.type === 'https-token'
                  ? [c.type, c.username ?? '', c.token]
                  : 'privateKey' in c
                    ? [c.type, c.privateKey]
                    : [c.type, c.privateKeyPath],
              ),
            )
            .digest('hex');
    return `${input.repoUrl}\n${input.branch}\n${cred}`;
  }

  /** The cache's directory (created on first use). */
  directory(): Promise<string> {
    this.root ??= (async () => {
      const parent = this.opts.dir ?? process.env.FC_GIT_CACHE_DIR ?? os.tmpdir();
      await mkdir(parent, { recursive: true });
      const dir = await mkdtemp(path.join(parent, 'fc-git-cache-'));
      roots.add(dir);
      if (!exitHook) {
        exitHook = true;
        process.once('exit', () => {
          for (const r of roots) rmSync(r, { recursive: true, force: true });
        });
      }
      return dir;
    })();
    return this.root;
  }

  /** Clones currently kept (tests, diagnostics). */
  size(): number {
    return this.entries.size;
  }

  /**
   * Runs `fn` with the clone of `input` to itself (one caller per clone at a time). When the clone turns out to
   * be damaged, it is discarded and `fn` runs once more in a new clone (`fn` starts from a fetch, so that is safe).
   */
  async exclusive<T>(input: RemoteInput, author: GitAuthor | undefined, fn: (ws: Workspace) => Promise<T>): Promise<T> {
    const entry = await this.entry(input);
    try {
      const release = await this.lock(entry, input.signal);
      try {
        for (let round = 1; ; round++) {
          await clearStaleLocks(entry.dir);
          let ws: Workspace;
          try {
            ws = await openWorkspace(input, author, { dir: entry.dir });
          } catch (err) {
            if (round > 1 || !damaged(err)) throw err;
            await this.discard(entry);
            continue;
          }
          try {
            return await fn(ws);
          } catch (err) {
            if (!damaged(err)) throw err;
            await this.discard(entry);
            if (round > 1) throw err;
          } finally {
            await ws.dispose();
          }
        }
      } finally {
        if (++entry.uses >= this.reuses) {
          entry.uses = 0;
          await this.discard(entry);
        }
        release();
      }
    } finally {
      entry.busy--;
      await this.evict();
    }
  }

  /**
   * Runs `read` against the remote's current head of the branch (`rev` undefined: the remote has no such
   * branch; else a commit id, or the remote-tracking ref, which nobody moves while `read` holds the lock). The
   * head is asked of the remote every time (`ls-remote`), so reads are as fresh as a fetch; the clone is
   * fetched (under the lock) only when that commit is not the one it is known to hold — which is the case
   * whenever someone else pushed last, so the check is not worth a git process of its own.
   */
  async atRemoteHead<T>(
    input: RemoteInput,
    depth: number,
    read: (ws: Workspace, rev: string | undefined) => Promise<T>,
    /** The commit `read` found at the remote-tracking ref: the clone is known to hold it from then on. */
    headOf?: (result: T) => string | undefined,
  ): Promise<T> {
    const entry = await this.entry(input);
    let sha: string | undefined;
    if (entry.ready) {
      try {
        const ws = await openWorkspace(input, undefined, { dir: entry.dir });
        try {
          const listed = await ws.git(['ls-remote', '--quiet', 'origin', `refs/heads/${input.branch}`]);
          sha = /^([0-9a-f]{40})\t/m.exec(listed.stdout)?.[1];
          if (sha === undefined) return await read(ws, undefined);
          if (entry.ready && sha === entry.head) return await read(ws, sha);
        } finally {
          await ws.dispose();
        }
      } finally {
        entry.busy--;
      }
    } else {
      entry.busy--;
    }
    return this.exclusive(input, undefined, async (ws) => {
      // Another reader or a writer may have brought that commit in while this one waited for the lock.
      if (entry.ready && sha !== undefined && sha === entry.head) return read(ws, sha);
      this.readerFetches++;
      if (!(await ws.fetch(depth))) return read(ws, undefined);
      entry.ready = true;
      const result = await read(ws, ws.remoteRef);
      entry.head = headOf?.(result);
      return result;
    });
  }

  /** Forgets the commit the clone was known to hold (a read in it failed): the next read fetches under the lock. */
  forgetHead(input: RemoteInput): void {
    const e = this.entries.get(RepoCache.key(input));
    if (e) e.head = undefined;
  }

  /**
   * Marks the clone as fetched (a writer's fetch, commit-queue.ts); `head`: a commit it now holds (what the
   * writer pushed, or what a reader found at the remote-tracking ref).
   */
  markReady(input: RemoteInput, head?: string): void {
    const e = this.entries.get(RepoCache.key(input));
    if (!e) return;
    e.ready = true;
    if (head !== undefined) e.head = head;
  }

  /**
   * The clone entry of `input`, most recently used, already counted busy (the caller decrements): the count is
   * taken with no await between the lookup and the increment, so an eviction running meanwhile cannot remove
   * an entry that is about to be used, and two first callers of the same key share one entry.
   */
  private async entry(input: RemoteInput): Promise<Entry> {
    const key = RepoCache.key(input);
    const dir = this.entries.has(key) ? undefined : await this.directory();
    let e = this.entries.get(key);
    if (e) {
      // Most recently used last (Map order is the LRU order).
      this.entries.delete(key);
    } else {
      e = {
        dir: path.join(dir ?? (await this.directory()), `r${++this.seq}`),
        tail: Promise.resolve(),
        busy: 0,
        ready: false,
        uses: 0,
        head: undefined,
      };
    }
    e.busy++;
    this.entries.set(key, e);
    return e;
  }

  private async lock(entry: Entry, signal: AbortSignal | undefined): Promise<() => void> {
    const previous = entry.tail;
    let release = (): void => undefined;
    const mine = new Promise<void>((resolve) => (release = resolve));
    entry.tail = previous.then(() => mine);
    if (signal) {
      try {
        await abortable(previous, signal);
      } catch (err) {
        // Our turn must still pass to the next waiter once the previous holder is done.
        void previous.then(release);
        throw err;
      }
    } else {
      await previous;
    }
    return release;
  }

  /** Moves the clone aside (readers still inside it fail and fall back) and removes it; the next use clones again. */
  private async discard(entry: Entry): Promise<void> {
    entry.ready = false;
    entry.head = undefined;
    const trash = `${entry.dir}.discarded-${++this.seq}`;
    try {
      await rename(entry.dir, trash);
    } catch {
      return; // nothing there
    }
    await rm(trash, { recursive: true, force: true });
  }

  private async evict(): Promise<void> {
    const gone: string[] = [];
    for (const [key, e] of this.entries) {
      if (this.entries.size <= this.maxRepos) break;
      if (e.busy > 0) continue;
      this.entries.delete(key);
      gone.push(e.dir);
    }
    await Promise.all(gone.map((d) => rm(d, { recursive: true, force: true }).catch(() => undefined)));
  }
}

/** Whether a failure means the clone itself is broken (discard it) rather than the remote or the input. */
function damaged(err: unknown): boolean {
  if (!(err instanceof GitError) || err instanceof GitAuthError || err instanceof GitConflictError) return false;
  const command = err.details.command;
  if (command === undefined) return false;
  return !NETWORK_COMMANDS.has(command) || LOCAL_DAMAGE.test(err.details.output ?? '');
}

/** Lock files a killed git command left behind; nobody else uses this process's clone, so they are stale. */
async function clearStaleLocks(dir: string): Promise<void> {
  const git = path.join(dir, '.git');
  await Promise.all(['index.lock', 'shallow.lock', 'HEAD.lock', 'config.lock'].map((f) => rm(path.join(git, f), { force: true })));
}
