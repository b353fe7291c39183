// Helpers to create a real bare GitOps repository and commit files to it (through a throwaway clone,
// as any Git client would). The one bare-repo helper: used by the sandbox rig (sim/rig.ts) and by the tests
// (test/git-fixtures.ts, test/sim-fixtures.ts).
import { mkdtemp, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { simpleGit } from 'simple-git';

const AUTHOR = ['-c', 'user.name=Flow Controller Sandbox', '-c', 'user.email=sandbox@flow-controller.local', '-c', 'commit.gpgsign=false'];

/** Creates a bare repository at `dir` with `branch` as HEAD if it does not exist yet. Returns true if created. */
export async function ensureBareRepo(dir: string, branch = 'main'): Promise<boolean> {
  const exists = await stat(path.join(dir, 'HEAD')).then(
    () => true,
    () => false,
  );
  if (exists) return false;
  await mkdir(dir, { recursive: true });
  await simpleGit(dir).raw(['init', '--bare', '--quiet', `--initial-branch=${branch}`]);
  return true;
}

/**
 * Commits `files` (path → content; null deletes) on `branch` of the repository at `repo` and pushes.
 * Returns the new commit SHA (or the current one when nothing changed).
 */
export async function commitFiles(repo: string, files: Record<string, string | null>, message: string, branch = 'main'): Promise<string> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'fc-gitops-work-'));
  try {
    const git = simpleGit(work);
    await git.raw(['clone', '--quiet', repo, '.']);
    const remoteHas = (await git.raw(['ls-remote', '--heads', 'origin', branch])).trim() !== '';
    await git.raw(remoteHas ? ['checkout', '--quiet', '-B', branch, `origin/${branch}`] : ['checkout', '--quiet', '--orphan', branch]);
    for (const [file, content] of Object.entries(files)) {
      const abs = path.join(work, file);
      if (content === null) {
        await rm(abs, { force: true });
      } else {
        await mkdir(path.dirname(abs), { recursive: true });
        await writeFile(abs, content);
      }
    }
    await git.raw(['add', '--all']);
    const dirty = (await git.raw(['status', '--porcelain'])).trim() !== '';
    if (dirty || !remoteHas) {
      await git.raw([...AUTHOR, 'commit', '--quiet', '--allow-empty', '-m', message]);
      await git.raw(['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`]);
    }
    return (await git.raw(['rev-parse', 'HEAD'])).trim();
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
