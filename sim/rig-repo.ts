// The rig's GitOps repository content (sim/rig.ts): the shipped chart's files, and seeding a bare repository with
// what it lacks in one commit. Files the rig owns outright (the shipped chart) are brought up to date when they
// differ, so a sandbox repository created by an older version renders today's chart; every other file is written
// only when missing (a promotion may have changed it since).
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { simpleGit } from 'simple-git';
import { commitFiles } from './gitops-repo.js';

/** Where the rig puts the shipped chart in its repository, and where the chart lives in this project. */
export const CHART_PATH = 'charts/flow-workloads';
export const CHART_DIR = path.join(import.meta.dirname, '..', 'charts', 'flow-workloads');

/** The files of a directory tree, keyed by their path under `prefix` (default: the shipped chart at CHART_PATH). */
export async function treeFiles(dir = CHART_DIR, prefix = CHART_PATH): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) Object.assign(out, await treeFiles(full, `${prefix}/${entry.name}`));
    else out[`${prefix}/${entry.name}`] = await readFile(full, 'utf8');
  }
  return out;
}

async function contentAt(repo: string, branch: string, file: string): Promise<string | undefined> {
  try {
    return await simpleGit(repo).raw(['show', `${branch}:${file}`]);
  } catch {
    return undefined;
  }
}

/**
 * Commits, in one commit, the `files` the repository does not have and the `owned` files whose content differs
 * (all of them when `created`). Returns the paths committed.
 */
export async function seedRepository(opts: {
  repoPath: string;
  branch: string;
  created: boolean;
  files: Record<string, string>;
  owned?: Record<string, string>;
  message: string;
  /** Message when only owned files are updated. */
  updateMessage: string;
}): Promise<string[]> {
  const missing: Record<string, string> = {};
  for (const [file, content] of Object.entries(opts.files)) {
    if (opts.created || (await contentAt(opts.repoPath, opts.branch, file)) === undefined) missing[file] = content;
  }
  const onlyOwned = !opts.created && Object.keys(missing).length === 0;
  for (const [file, content] of Object.entries(opts.owned ?? {})) {
    if (opts.created || (await contentAt(opts.repoPath, opts.branch, file)) !== content) missing[file] = content;
  }
  if (Object.keys(missing).length > 0)
    await commitFiles(opts.repoPath, missing, onlyOwned ? opts.updateMessage : opts.message, opts.branch);
  return Object.keys(missing).sort();
}
