// The simulator's repo-server: a mirror clone per repository under a cache directory, fetched on
// every refresh/sync, from which revisions are resolved to full SHAs and files are read at a commit,
// all with real git (simple-git). Operations on one repository are serialised.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { simpleGit } from 'simple-git';

export class RevisionError extends Error {
  override readonly name = 'RevisionError';
}

export class GitSource {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly cacheRoot: string) {}

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
      const exists = await stat(path.join(dir, 'HEAD')).then(
        () => true,
        () => false,
      );
      try {
        if (!exists) {
          await mkdir(this.cacheRoot, { recursive: true });
          await rm(dir, { recursive: true, force: true });
          await simpleGit().clone(source, dir, ['--mirror', '--quiet']);
        } else {
          await simpleGit(dir).raw(['fetch', '--prune', '--quiet', 'origin']);
        }
      } catch (err) {
        throw new RevisionError(`rpc error: code = Unknown desc = failed to fetch ${repoURL}: ${(err as Error).message.trim()}`, {
          cause: err,
        });
      }
      return dir;
    });
  }

  /** Resolves a branch, tag, `HEAD` or full SHA to the commit SHA, after fetching. */
  async resolve(repoURL: string, revision: string): Promise<string> {
    const dir = await this.fetch(repoURL);
    const rev = revision === '' ? 'HEAD' : revision;
    const git = simpleGit(dir);
    const candidates = /^[0-9a-f]{40}$/.test(rev) ? [rev] : rev === 'HEAD' ? ['HEAD'] : [`refs/heads/${rev}`, `refs/tags/${rev}`];
    for (const c of candidates) {
      try {
        const sha = (await git.raw(['rev-parse', '--verify', '--quiet', `${c}^{commit}`])).trim();
        if (/^[0-9a-f]{40}$/.test(sha)) return sha;
      } catch {
        // try the next candidate
      }
    }
    throw new RevisionError(`rpc error: code = Unknown desc = unable to resolve '${revision}' to a commit SHA`);
  }

  /** File content at a commit, or undefined when the path does not exist there. */
  async readFile(repoURL: string, sha: string, filePath: string): Promise<string | undefined> {
    const dir = this.dirFor(repoURL);
    const clean = path.posix.normalize(filePath).replace(/^\.\/|^\//, '');
    try {
      return await simpleGit(dir).raw(['show', `${sha}:${clean}`]);
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
    const git = simpleGit(this.dirFor(repoURL));
    const clean = path.posix.normalize(dir).replace(/^\.\/|^\/|\/$/g, '');
    const root = clean === '' || clean === '.';
    if (!root) {
      const type = await git.raw(['cat-file', '-t', `${sha}:${clean}`]).then(
        (t) => t.trim(),
        () => undefined,
      );
      if (type !== 'tree') return undefined;
    }
    const out = await git.raw(['ls-tree', '-z', ...(recurse ? ['-r'] : []), sha, ...(root ? [] : ['--', `${clean}/`])]);
    return out
      .split('\0')
      .filter((entry) => entry !== '')
      .flatMap((entry) => {
        const [meta = '', file = ''] = entry.split('\t');
        const [mode, type] = meta.split(' ');
        return type === 'blob' && (mode === '100644' || mode === '100755') ? [file] : [];
      });
  }

  /** Writes the files under `paths` (repo-relative, all existing at `sha`; none = the whole tree) into `dest`, as a checkout would. */
  async exportTree(repoURL: string, sha: string, paths: string[], dest: string): Promise<void> {
    const tarFile = `${dest}.tar`;
    try {
      await promisify(execFile)('git', ['--git-dir', this.dirFor(repoURL), 'archive', '--format=tar', '-o', tarFile, sha, '--', ...paths]);
      await mkdir(dest, { recursive: true });
      await promisify(execFile)('tar', ['-xf', tarFile, '-C', dest]);
    } finally {
      await rm(tarFile, { force: true });
    }
  }
}
