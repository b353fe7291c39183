// Preflight checks of the Git target (api/services/preflight.ts runs them): the repository answers with the
// configured credentials, the branch exists, and every file the environment's image mappings name for the
// release (gitops/mappings/plan.ts: flow-workloads values files, helm-values files, kustomizations, manifests)
// exists and renders — one check per file — and the diff the next promotion of that release would make. One
// depth-1 fetch reads all files. Also the remote of a configuration (credentials resolved under the
// installation's policy), shared with the save-time mapping check (environments.ts).
import type { ReleaseRow } from '../../db/releases.js';
import type { Descriptor } from '../../domain/descriptor.js';
import type { GitopsTarget } from '../../domain/environment.js';
import { unifiedDiff } from '../../domain/text-diff.js';
import { GitAuthError } from '../../gitops/errors.js';
import { planEnvironment, type FilePlan } from '../../gitops/mappings/plan.js';
import { renderPlannedFile, type RenderedFile } from '../../gitops/render.js';
import { readBranchFiles } from '../../gitops/repo.js';
import type { GitCredentials, RemoteInput } from '../../gitops/workspace.js';
import type { SecretResolver } from '../../lib/secrets.js';
import type { Logger } from '../../lib/logger.js';
import { check, reason, type PreflightCheck } from './preflight-checks.js';

/** Bound of one git command of the preflight and of the save-time check (a clone of one commit). */
export const PREFLIGHT_GIT_TIMEOUT_MS = 30_000;

export interface GitDeps {
  secrets: SecretResolver;
  allowedHosts: readonly string[];
  /** Parent folder of the temporary clones. */
  gitWorkDir: string;
  logger: Logger;
}

/**
 * What the Git checks render: the environment's current release; else the latest release (what a first promotion
 * would most likely write); else the default template's services (files checked, no diff); else nothing.
 */
export interface GitPlan {
  release: ReleaseRow | undefined;
  source: 'current' | 'latest' | 'template' | 'none';
  descriptor: Descriptor | undefined;
}

/** The remote of a gitops target, its credentials resolved from their references (throws SecretError). */
export function remoteOf(deps: Pick<GitDeps, 'secrets' | 'allowedHosts' | 'gitWorkDir'>, g: GitopsTarget): RemoteInput {
  let credentials: GitCredentials | undefined;
  if (g.credentials?.type === 'https-token') {
    credentials = {
      type: 'https-token',
      token: deps.secrets.resolve(g.credentials.tokenRef),
      ...(g.credentials.username ? { username: g.credentials.username } : {}),
    };
  } else if (g.credentials?.type === 'ssh-key') {
    credentials = { type: 'ssh-key', privateKey: deps.secrets.resolve(g.credentials.privateKeyRef) };
  }
  return {
    repoUrl: g.repoUrl,
    branch: g.branch,
    workDir: deps.gitWorkDir,
    commandTimeoutMs: PREFLIGHT_GIT_TIMEOUT_MS,
    allowedHosts: deps.allowedHosts,
    ...(credentials ? { credentials } : {}),
  };
}

/** The file plan of `descriptor` in the environment, or the reason it cannot be made (a configuration error). */
export function planFor(name: string, g: GitopsTarget, descriptor: Descriptor | undefined): FilePlan[] | Error {
  if (!descriptor) return [];
  try {
    return planEnvironment({ environment: name, descriptor, pathPattern: g.pathPattern, mapping: g.mapping, groups: g.groups });
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

function who(plan: FilePlan): string {
  const names = plan.services.map((s) => `${s.group}/${s.service}`);
  return names.length > 4 ? `${names.slice(0, 4).join(', ')} and ${names.length - 4} more` : names.join(', ');
}

/**
 * Check id of a planned file: `git.values:<group>` for a group's flow-workloads file (as before mappings; a group
 * with several, by per-service `file`s, gets `git.values:<group>:<path>`), `git.mapping:<path>` otherwise.
 */
function idOf(plan: FilePlan, all: FilePlan[]): string {
  if (plan.type !== 'flow-workloads') return `git.mapping:${plan.path}`;
  const several = all.filter((p) => p.type === 'flow-workloads' && p.group === plan.group).length > 1;
  return several ? `git.values:${plan.group}:${plan.path}` : `git.values:${plan.group}`;
}

function missingMessage(plan: FilePlan, g: GitopsTarget, where: string): string {
  const field = plan.services[0]?.field ?? 'gitops.pathPattern';
  if (plan.type === 'flow-workloads') {
    const fix = field === 'gitops.pathPattern' ? `gitops.pathPattern ("${g.pathPattern}")` : `${field}.file`;
    return (
      `values file ${plan.path} (group ${plan.group}) not found on ${where}: create it (a map such as "workloads: {}" is enough) ` +
      `where the group's Argo CD Application reads its values, or fix ${fix}`
    );
  }
  return `${plan.path} (the ${plan.type} mapping of ${who(plan)}) not found on ${where}: create it, or fix ${field}.file`;
}

export async function gitChecks(deps: GitDeps, name: string, g: GitopsTarget, plan: GitPlan): Promise<PreflightCheck[]> {
  const where = `${g.repoUrl} (branch ${g.branch})`;
  let remote: RemoteInput;
  try {
    remote = remoteOf(deps, g);
  } catch (err) {
    return [
      check(
        'git',
        'git.reachable',
        'error',
        `Git credentials not available: ${reason(err)}; fix gitops.credentials or the secret it names`,
      ),
    ];
  }
  const plans = planFor(name, g, plan.descriptor);
  const paths = plans instanceof Error ? [] : plans.map((p) => p.path);
  let found: Awaited<ReturnType<typeof readBranchFiles>>;
  try {
    found = await readBranchFiles({ ...remote, paths });
  } catch (err) {
    deps.logger.warn({ environment: name, err: reason(err) }, 'preflight: Git read failed');
    const message =
      err instanceof GitAuthError
        ? `Git refused the configured credentials for ${g.repoUrl} (authentication failed): check gitops.credentials and that the secret is valid and may read the repository`
        : `Git repository ${g.repoUrl} not reachable: ${reason(err)}`;
    return [check('git', 'git.reachable', 'error', message)];
  }
  const checks = [check('git', 'git.reachable', 'ok', `${g.repoUrl} answered with the configured credentials`)];
  if (!found) {
    const message = `branch "${g.branch}" does not exist in ${g.repoUrl}: create it, or set gitops.branch to the branch Argo CD reads`;
    return [...checks, check('git', 'git.branch', 'error', message)];
  }
  checks.push(check('git', 'git.branch', 'ok', `branch "${g.branch}" is at ${found.sha.slice(0, 12)}`));
  if (plans instanceof Error) {
    return [
      ...checks,
      check('git', 'git.mapping', 'error', `the image mappings cannot be applied: ${reason(plans)}; fix gitops.mapping / gitops.groups`),
    ];
  }
  if (plan.source === 'none') {
    return [...checks, check('git', 'git.values', 'warning', 'no release and no "default" template: the files to check are unknown')];
  }
  const rendered: RenderedFile[] = [];
  for (const p of plans) {
    const existing = found.files[p.path];
    if (existing === undefined) {
      checks.push(check('git', idOf(p, plans), 'error', missingMessage(p, g, where)));
      continue;
    }
    try {
      rendered.push(renderPlannedFile(p, existing, { environment: name, ...releaseFields(plan.release) }));
      const what = p.type === 'flow-workloads' ? `values file ${p.path}` : `${p.path} (${p.type}: ${who(p)})`;
      checks.push(check('git', idOf(p, plans), 'ok', `${what} exists and renders`));
    } catch (err) {
      checks.push(
        check('git', idOf(p, plans), 'error', `${p.path} cannot be rendered: ${reason(err)}; fix the file on ${where} or the mapping`),
      );
    }
  }
  checks.push(diffCheck(plan, found.files, rendered.length === plans.length ? rendered : undefined));
  return checks;
}

function diffCheck(plan: GitPlan, files: Record<string, string | undefined>, rendered: RenderedFile[] | undefined): PreflightCheck {
  const release = plan.release;
  if (!release) return check('git', 'git.diff', 'ok', 'no release yet: the first promotion writes the files', { diff: '' });
  if (!rendered)
    return check('git', 'git.diff', 'error', 'pending change unknown: a mapped file is missing or does not render', { diff: '' });
  const changed = rendered.filter((f) => f.changed);
  const label = `${release.productVersion} (${release.id})`;
  const diff = changed.map((f) => unifiedDiff(f.path, files[f.path], f.content)).join('');
  const paths = changed.map((f) => f.path).join(', ');
  if (plan.source === 'latest') {
    return changed.length === 0
      ? check('git', 'git.diff', 'ok', `no release deployed yet; the files already hold the latest release ${label}`, { diff: '' })
      : check(
          'git',
          'git.diff',
          'ok',
          `no release deployed yet; a first promotion of the latest release ${label} would change ${paths} as shown`,
          {
            diff,
          },
        );
  }
  if (changed.length === 0) return check('git', 'git.diff', 'ok', `the files match the current release ${label}`, { diff: '' });
  return check(
    'git',
    'git.diff',
    'warning',
    `Git differs from the current release ${label} in ${paths}: ` +
      'the next promotion of that release would make the change shown (someone edited the files, or a promotion did not finish)',
    { diff },
  );
}

function releaseFields(release: ReleaseRow | undefined): { releaseId: string; descriptorDigest: string; productVersion: string } {
  return release
    ? { releaseId: release.id, descriptorDigest: release.digest, productVersion: release.productVersion }
    : { releaseId: 'preflight', descriptorDigest: 'preflight', productVersion: '0.0.0' };
}
