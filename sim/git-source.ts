// The simulator's repo-server: a mirror clone per repository under a cache directory, fetched whenever a
// revision resolves (ls-remote, every time) to a commit it does not hold yet, from which revisions are resolved to full SHAs and files are read at a commit,
// all with real git. Operations on one repository are serialised. Git runs in Flow Controller's small helper
// process (gitops/git-runner.ts, without its spans): forking from the simulator's process — in tests and benchmarks
// the same large process as the API — cost more than the git commands themselves (docs/benchmarks.md).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runGitCommand } from '../gitops/git-runner.js';

export class RevisionError extends Error {
  override readonly name = 'RevisionError';
}

class GitCommandError extends Error {
  override readonly name = 'GitCommandError';
}

/** Runs git in `cwd`; its standard output, or GitCommandError with its standard error (as simple-git reported it). */
async function git(cwd: string, args: string[]): Promise<string> {
  const r = await runGitCommand(args, { cwd, env: process.env, timeout: 120_000, maxBuffer: 256 * 1024 * 1024 });
  if (r.code !== 0) throw new GitCommandError(r.spawnError ?? (r.stderr.trim() || `git ${args[0] ?? ''} exited ${r.code}`));
  return r.stdout;
}

/** Commits known to be in a mirror, per repository, so resolving the same commit again asks git only ls-remote. */
const KNOWN_LIMIT = 10_000;

export class GitSource {
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly known = new Map<string, Set<string>>();

  private readonly cacheRoot: string;

  constructor(cacheRoot: string) {
    // Absolute: clones run with the cache root as their working directory.
    this.cacheRoot = path.resolve(cacheRoot);
  }

  private dirFor(repoURL: string): string {
    return path.join(this.cacheRoot, createHash('sha256').update(repoURL).digest('hex').slice(0, 16));
  }

  private serial<T>(repoURL: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(repoURL) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    this.locks.set(
      repoURL,
      next.catch(() => undefined),
    );
    return next;
  }

  /** Clones (first time) or fetches the repository; returns the mirror's directory. */
  fetch(repoURL: string): Promise<string> {
    return this.serial(repoURL, async () => {
      const dir = this.dirFor(repoURL);
      const source = repoURL.startsWith('file:') ? fileURLToPath(repoURL) : repoURL;
      const exists = await this.hasMirror(dir);
      try {
        if (!exists) {
          this.known.delete(dir);
          await mkdir(this.cacheRoot, { recursive: true });
          await rm(dir, { recursive: true, force: true });
          await git(this.cacheRoot, ['clone', '--mirror', '--quiet', source, dir]);
        } else {
          await git(dir, ['fetch', '--prune', '--quiet', 'origin']);
        }
      } catch (err) {
        throw new RevisionError(`rpc error: code = Unknown desc = failed to fetch ${repoURL}: ${(err as Error).message.trim()}`, {
          cause: err,
        });
      }
      return dir;
    });
  }

  /**
   * Resolves a branch, tag, `HEAD` or full SHA to the commit SHA, as Argo CD's repo-server does: a symbolic
   * revision is asked of the remote every time (`ls-remote`, no revision cache), and the mirror is fetched only
   * when it does not hold that commit yet; a full SHA is looked up in the mirror and fetched when missing. As
   * fresh as fetching every time, but concurrent reads no longer queue behind one fetch per call.
   */
  async resolve(repoURL: string, revision: string): Promise<string> {
    const rev = revision === '' ? 'HEAD' : revision;
    const isSha = /^[0-9a-f]{40}$/.test(rev);
    const dir = this.dirFor(repoURL);
    if (await this.hasMirror(dir)) {
      const sha = isSha ? rev : await this.lsRemote(repoURL, rev);
      if (sha !== undefined && (await this.hasCommit(dir, sha))) return sha;
    }
    return this.resolveFetched(repoURL, rev, isSha);
  }

  private async resolveFetched(repoURL: string, rev: string, isSha: boolean): Promise<string> {
    const dir = await this.fetch(repoURL);
    const candidates = isSha ? [rev] : rev === 'HEAD' ? ['HEAD'] : [`refs/heads/${rev}`, `refs/tags/${rev}`];
    for (const c of candidates) {
      try {
        const sha = (await git(dir, ['rev-parse', '--verify', '--quiet', `${c}^{commit}`])).trim();
        if (/^[0-9a-f]{40}$/.test(sha)) return sha;
      } catch {
        // try the next candidate
      }
    }
    throw new RevisionError(`rpc error: code = Unknown desc = unable to resolve '${rev}' to a commit SHA`);
  }

  private hasMirror(dir: string): Promise<boolean> {
    return stat(path.join(dir, 'HEAD')).then(
      () => true,
      () => false,
    );
  }

  /** Whether the mirror holds the commit (a commit once there stays: fetches add, `--prune` removes refs, not objects). */
  private async hasCommit(dir: string, sha: string): Promise<boolean> {
    const known = this.known.get(dir);
    if (known?.has(sha)) return true;
    try {
      await git(dir, ['cat-file', '-e', `${sha}^{commit}`]);
    } catch {
      return false;
    }
    const set = known && known.size < KNOWN_LIMIT ? known : new Set<string>();
    set.add(sha);
    this.known.set(dir, set);
    return true;
  }

  /** The commit a branch, tag or `HEAD` points to on the remote now; undefined when unknown (the fetch path reports it). */
  private async lsRemote(repoURL: string, rev: string): Promise<string | undefined> {
    const source = repoURL.startsWith('file:') ? fileURLToPath(repoURL) : repoURL;
    const wanted = rev === 'HEAD' ? ['HEAD'] : [`refs/heads/${rev}`, `refs/tags/${rev}`];
    let out: string;
    try {
      out = await git(this.cacheRoot, ['ls-remote', source, ...wanted]);
    } catch {
      return undefined;
    }
    const refs = new Map<string, string>();
    for (const line of out.split('\n')) {
      const [sha, ref] = line.trim().split('\t');
      if (sha && ref) refs.set(ref, sha);
    }
    for (const w of wanted) {
      // An annotated tag: the commit it peels to.
      const sha = refs.get(`${w}^{}`) ?? refs.get(w);
      if (sha !== undefined) return sha;
    }
    return undefined;
  }

  /** File content at a commit, or undefined when the path does not exist there. */
  async readFile(repoURL: string, sha: string, filePath: string): Promise<string | undefined> {
    const dir = this.dirFor(repoURL);
    const clean = path.posix.normalize(filePath).replace(/^\.\/|^\//, '');
    try {
      return await git(dir, ['show', `${sha}:${clean}`]);
    } catch {
      return undefined;
    }
  }

  /**
   * The regular files (not symlinks, not submodules) under directory `dir` at a commit, repo-relative, in Git's
   * path order: those directly in it, or every one below it with `recurse`. Undefined when `dir` is not a
   * directory there.
   */
  async listFiles(repoURL: string, sha: string, dir: string, recurse = false): Promise<string[] | undefined> {
    const clean = path.posix.normalize(dir).replace(/^\.\/|^\/|\/$/g, '');
    const root = clean === '' || clean === '.';
    const args = ['ls-tree', '-z', ...(recurse ? ['-r'] : [])];
    let out: string;
    if (root) out = await git(this.dirFor(repoURL), [...args, sha]);
    else {
      try {
        // `<sha>:<dir>` names the directory's tree: one command, which fails when it is not a directory there.
        out = await git(this.dirFor(repoURL), [...args, `${sha}:${clean}`]);
      } catch {
        return undefined;
      }
    }
    return out
      .split('\0')
      .filter((entry) => entry !== '')
      .flatMap((entry) => {
        const [meta = '', file = ''] = entry.split('\t');
        const [mode, type] = meta.split(' ');
        return type === 'blob' && (mode === '100644' || mode === '100755') ? [root ? file : `${clean}/${file}`] : [];
      });
  }

  /** Writes the files under `paths` (repo-relative, all existing at `sha`; none = the whole tree) into `dest`, as a checkout would. */
  async exportTree(repoURL: string, sha: string, paths: string[], dest: string): Promise<void> {
    const tarFile = `${dest}.tar`;
    try {
      await git(this.dirFor(repoURL), ['archive', '--format=tar', '-o', tarFile, sha, '--', ...paths]);
      await mkdir(dest, { recursive: true });
      await promisify(execFile)('tar', ['-xf', tarFile, '-C', dest]);
    } finally {
      await rm(tarFile, { force: true });
    }
  }
}
