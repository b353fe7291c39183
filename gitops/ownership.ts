// Which commits and paths of a clone the engine may trust, on a workspace (workspace.ts):
//   - own commits: a commit is "ours" only if it carries every trailer we write (installation id, environment,
//     deployment, release — a trailer alone is forgeable and deployment ids repeat across installations and
//     database restores), has exactly one parent, and touches only paths we own; pushRelease additionally
//     compares its tree with what it renders now (repo.ts);
//   - symbolic links: the engine never reads or writes through one. Git records them with mode 120000; a path
//     whose file or any parent directory is such an entry is refused (and the clone checks links out as plain
//     files, `core.symlinks=false`, so nothing on disk can point outside it).
// Error messages name paths, never file content.
import { GitPermanentError } from './errors.js';
import { parseTrailers, trailersMatch, type TrailerMatch } from './trailers.js';
import { HISTORY_DEPTH, type Workspace } from './workspace.js';

/** Trailer added to revert commits, naming the reverted commit. */
export const REVERTS_TRAILER = 'Flow-Controller-Reverts';
/** Trailer of a compensation commit that restores the previous release (abort after a no-change push). */
export const RESTORES_TRAILER = 'Flow-Controller-Restores';

/** Who owns a commit: every trailer must match, and every path it touches must be owned. */
export interface CommitOwner {
  trailers: Record<string, string>;
  ownsPath: (path: string) => boolean;
}

/** Matches a forward commit carrying all `trailers`; revert and restore commits never match (unless asked for). */
export function ownMatch(trailers: Record<string, string>): TrailerMatch {
  return { required: trailers, forbidden: [REVERTS_TRAILER, RESTORES_TRAILER].filter((k) => !(k in trailers)) };
}

/** A commit and its trailers (lower-cased keys), as `git log` parses them. */
export interface TrailedCommit {
  sha: string;
  trailers: Array<[string, string]>;
}

const TRAILED_FORMAT = '--format=%H%x1f%(trailers:only,unfold,separator=%x1e)%x1d';

function parseTrailed(stdout: string): TrailedCommit[] {
  const out: TrailedCommit[] = [];
  for (const record of stdout.split('\x1d')) {
    const [sha, raw] = record.trim().split('\x1f');
    if (sha && raw !== undefined) out.push({ sha, trailers: parseTrailers(raw) });
  }
  return out;
}

/** The newest `limit` (default HISTORY_DEPTH) commits of `rev` (a commit or a range) with their trailers (one `git log`). */
export async function trailedHistory(ws: Workspace, rev: string, limit = HISTORY_DEPTH): Promise<TrailedCommit[]> {
  return parseTrailed((await ws.git(['log', ...(Number.isFinite(limit) ? [`-n${limit}`] : []), TRAILED_FORMAT, rev])).stdout);
}

/** The commit `rev` names, with its trailers. */
export async function trailedCommit(ws: Workspace, rev: string): Promise<TrailedCommit> {
  const [c] = parseTrailed((await ws.git(['log', '-1', TRAILED_FORMAT, rev])).stdout);
  if (!c) throw new GitPermanentError(`no commit at ${rev}`, { command: 'log' });
  return c;
}

/** Of `history` (newest first), the commits whose trailers match. */
export function matchingIn(history: readonly TrailedCommit[], match: TrailerMatch): string[] {
  return history.filter((c) => trailersMatch(c.trailers, match)).map((c) => c.sha);
}

/** Commits on `rev` (newest first, within HISTORY_DEPTH) whose trailers match. */
export async function commitsMatching(ws: Workspace, rev: string, match: TrailerMatch): Promise<string[]> {
  return matchingIn(await trailedHistory(ws, rev), match);
}

/** Paths a single-parent commit changes; undefined for a merge, a root or a shallow boundary (never ours). */
export async function pathsChangedBy(ws: Workspace, sha: string): Promise<string[] | undefined> {
  const parents = (await ws.git(['rev-list', '--parents', '-n', '1', sha])).stdout.trim().split(' ').length - 1;
  if (parents !== 1) return undefined;
  const out = await ws.git(['diff-tree', '--no-commit-id', '--name-only', '-r', '-z', sha]);
  return out.stdout.split('\0').filter(Boolean);
}

/** Why `sha` is not owned by `owner`, or undefined when it is. */
export async function notOwnedReason(ws: Workspace, sha: string, owner: CommitOwner): Promise<string | undefined> {
  if (!trailersMatch((await trailedCommit(ws, sha)).trailers, ownMatch(owner.trailers))) {
    return `commit ${sha} does not carry this deployment's trailers (${Object.keys(owner.trailers).join(', ')})`;
  }
  const paths = await pathsChangedBy(ws, sha);
  if (paths === undefined) return `commit ${sha} is a merge or has no parent in reach`;
  const foreign = paths.filter((p) => !owner.ownsPath(p));
  if (foreign.length > 0) {
    return `commit ${sha} changes files outside environment ${owner.trailers['Flow-Controller-Environment'] ?? ''}: ${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? ', …' : ''}`;
  }
  return undefined;
}

// --- symbolic links ------------------------------------------------------------------------------------

/** `a/b/c` → `a`, `a/b`, `a/b/c`. */
export function pathPrefixes(p: string): string[] {
  const parts = p.split('/');
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}

/** The symbolic links among `paths` and their parent directories in the index of the clone. */
export async function symlinksInIndex(ws: Workspace, paths: string[]): Promise<Set<string>> {
  const prefixes = [...new Set(paths.flatMap(pathPrefixes))];
  if (prefixes.length === 0) return new Set();
  // Pathspecs are literal (GIT_LITERAL_PATHSPECS, workspace.ts); a directory prefix also lists what lies under it.
  const out = await ws.git(['ls-files', '-s', '-z', '--', ...prefixes]);
  return linksOf(out.stdout, new Set(prefixes));
}

/**
 * The symbolic links among `paths` and their parent directories in `rev`'s tree, and which of `paths` the tree has
 * (`present`): one `ls-tree` for both (it lists each path and each parent directory asked for).
 */
export async function pathsInTree(ws: Workspace, rev: string, paths: string[]): Promise<{ links: Set<string>; present: Set<string> }> {
  const prefixes = [...new Set(paths.flatMap(pathPrefixes))];
  if (prefixes.length === 0) return { links: new Set(), present: new Set() };
  const out = await ws.git(['ls-tree', '-z', rev, '--', ...prefixes]);
  const wanted = new Set(paths);
  const present = new Set<string>();
  for (const entry of out.stdout.split('\0')) {
    const tab = entry.indexOf('\t');
    if (tab >= 0 && wanted.has(entry.slice(tab + 1))) present.add(entry.slice(tab + 1));
  }
  return { links: linksOf(out.stdout, new Set(prefixes)), present };
}

/** Entries `<mode> <type|sha> …\t<path>` (ls-files -s and ls-tree) with mode 120000 whose path is one of `wanted`. */
function linksOf(listing: string, wanted: Set<string>): Set<string> {
  const links = new Set<string>();
  for (const entry of listing.split('\0')) {
    const tab = entry.indexOf('\t');
    if (tab < 0) continue;
    const p = entry.slice(tab + 1);
    if (entry.startsWith('120000 ') && wanted.has(p)) links.add(p);
  }
  return links;
}

/** Throws when `p` or one of its parent directories is a symbolic link in `links`. */
export function refuseSymlink(p: string, links: Set<string>): void {
  const link = pathPrefixes(p).find((q) => links.has(q));
  if (link !== undefined) {
    throw new GitPermanentError(
      link === p
        ? `"${p}" is a symbolic link in the repository; Flow Controller never follows symbolic links — replace it by a regular file`
        : `"${p}" lies under "${link}", a symbolic link in the repository; Flow Controller never follows symbolic links`,
    );
  }
}
