// Preflight: "tell me what is wrong before my first promotion". Checks an environment's configuration against
// the systems it names — Git (reachable with the configured credentials, branch, values files, the pending
// diff), Argo CD (preflight-targets.ts: reachable, authenticated, each Application, its source, auto-sync,
// sync windows) and Kubernetes (reachable with the token, namespace, workloads readable) — and reports each
// check as ok | warning | error with a message a platform engineer can act on. Read-only: it writes nothing
// anywhere. The three targets are checked concurrently; every outbound call is bounded by its client's
// timeout (Git: PREFLIGHT_GIT_TIMEOUT_MS per command). Secrets are resolved through the SecretResolver under
// the installation's policy, exactly as the promotion steps resolve them.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '../../db/client.js';
import { getRelease, type ReleaseRow } from '../../db/releases.js';
import { getTemplate } from '../../db/templates.js';
import { listEnvironments } from '../../db/environments.js';
import type { ArgoTarget, ClusterTarget, GitopsTarget, KubeTarget } from '../../domain/environment.js';
import { unifiedDiff } from '../../domain/text-diff.js';
import type { Descriptor } from '../../domain/descriptor.js';
import { readBranchFiles } from '../../gitops/repo.js';
import { renderEnvironment, renderValuesFile, valuesPath } from '../../gitops/render.js';
import type { GitCredentials, RemoteInput } from '../../gitops/workspace.js';
import { GitAuthError } from '../../gitops/errors.js';
import { createTargetClients, type TargetClients } from '../../integrations/targets.js';
import { targetPolicyOf, type Config } from '../../lib/config.js';
import type { Logger } from '../../lib/logger.js';
import { createSecretResolver, type SecretResolver } from '../../lib/secrets.js';
import { check, reason, summaryOf, worst, type CheckStatus, type PreflightCheck, type PreflightReport } from './preflight-checks.js';
import { clusterChecks } from './preflight-clusters.js';

/** Bound of one git command of the preflight (a clone of one commit). */
export const PREFLIGHT_GIT_TIMEOUT_MS = 30_000;
/** Per-request bound towards Argo CD for the preflight (no refresh is asked, so reads answer at once). */
export const PREFLIGHT_ARGO_TIMEOUT_MS = 10_000;

export interface PreflightDeps {
  database: Database;
  /** Argo CD / Kubernetes clients under the installation's policy (host allowlist, restricted references). */
  targets: TargetClients;
  secrets: SecretResolver;
  allowedHosts: readonly string[];
  /** Parent folder of the temporary clones. */
  gitWorkDir: string;
  logger: Logger;
}

/** The preflight's dependencies under the installation's policy; `env` adds values a process knows without exporting them. */
export function preflightDepsOf(
  config: Config,
  database: Database,
  logger: Logger,
  opts: { env?: Record<string, string | undefined>; gitWorkDir?: string } = {},
): PreflightDeps {
  const policy = targetPolicyOf(config);
  const secrets = createSecretResolver({ ...policy, ...(opts.env ? { env: opts.env } : {}) });
  return {
    database,
    secrets,
    allowedHosts: policy.allowedHosts,
    targets: createTargetClients({
      secrets,
      allowedHosts: policy.allowedHosts,
      argoTimeoutMs: PREFLIGHT_ARGO_TIMEOUT_MS,
      kubeTimeoutMs: config.KUBE_TIMEOUT_MS,
    }),
    gitWorkDir: opts.gitWorkDir ?? join(tmpdir(), 'flow-controller-git'),
    logger,
  };
}

/** What is checked: a stored environment, or a configuration submitted with `PUT ?dryRun=true`. */
export interface PreflightTarget {
  name: string;
  gitops: GitopsTarget;
  argocd: ArgoTarget;
  kubernetes: KubeTarget;
  /** Further clusters (domain/clusters.ts); a stored row has null/[] for none. */
  clusterName?: string | null | undefined;
  clusters?: readonly ClusterTarget[] | null | undefined;
  currentReleaseId: string | null;
}

/** The release the Git checks render, and the groups every check covers. */
interface Plan {
  release: ReleaseRow | undefined;
  groups: string[];
}

export async function runPreflight(deps: PreflightDeps, target: PreflightTarget): Promise<PreflightReport> {
  const started = Date.now();
  const plan = await planOf(deps.database, target);
  // Argo CD and Kubernetes of every cluster the environment spans (preflight-clusters.ts).
  const [git, clusters] = await Promise.all([gitChecks(deps, target, plan), clusterChecks(deps.targets, target, plan.groups)]);
  const checks = [...git, ...clusters];
  deps.logger.info({ environment: target.name, status: worst(checks), checks: checks.length }, 'preflight finished');
  return {
    environment: target.name,
    status: worst(checks),
    releaseId: plan.release?.id ?? null,
    groups: plan.groups,
    checkedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    checks,
  };
}

/**
 * The preflight of every configured environment (concurrently), as one summary each: `ok`, `2 warnings`,
 * `1 error, 1 warning`. Never throws: an environment whose preflight itself failed says so.
 */
export async function preflightAll(
  deps: PreflightDeps,
): Promise<Array<{ environment: string; status: CheckStatus | 'failed'; summary: string }>> {
  const envs = await listEnvironments(deps.database.db);
  return Promise.all(
    envs.map(async (env) => {
      try {
        const report = await runPreflight(deps, env);
        return { environment: env.name, status: report.status, summary: summaryOf(report) };
      } catch (err) {
        deps.logger.warn({ environment: env.name, err: reason(err) }, 'preflight failed');
        return { environment: env.name, status: 'failed' as const, summary: `preflight failed: ${reason(err)}` };
      }
    }),
  );
}

async function planOf(db: Database, target: PreflightTarget): Promise<Plan> {
  const release = target.currentReleaseId ? await getRelease(db.db, { id: target.currentReleaseId }) : undefined;
  if (release) return { release, groups: Object.keys(release.descriptor).sort() };
  // Before the first promotion: the groups of the default template (what the first release will have).
  const template = await getTemplate(db.db, { key: 'default' });
  const document = (template?.document ?? {}) as Record<string, unknown>;
  return { release: undefined, groups: Object.keys(document).sort() };
}

function remoteOf(deps: PreflightDeps, g: GitopsTarget): RemoteInput {
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

async function gitChecks(deps: PreflightDeps, target: PreflightTarget, plan: Plan): Promise<PreflightCheck[]> {
  const g = target.gitops;
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
  const paths = plan.groups.map((group) => valuesPath(g.pathPattern, target.name, group));
  let found: Awaited<ReturnType<typeof readBranchFiles>>;
  try {
    found = await readBranchFiles({ ...remote, paths });
  } catch (err) {
    deps.logger.warn({ environment: target.name, err: reason(err) }, 'preflight: Git read failed');
    const message =
      err instanceof GitAuthError
        ? `Git refused the configured credentials for ${g.repoUrl} (authentication failed): check gitops.credentials and that the secret is valid and may read the repository`
        : `Git repository ${g.repoUrl} not reachable: ${reason(err)}`;
    return [check('git', 'git.reachable', 'error', message)];
  }
  const checks = [check('git', 'git.reachable', 'ok', `${g.repoUrl} answered with the configured credentials`)];
  if (!found) {
    checks.push(
      check(
        'git',
        'git.branch',
        'error',
        `branch "${g.branch}" does not exist in ${g.repoUrl}: create it, or set gitops.branch to the branch Argo CD reads`,
      ),
    );
    return checks;
  }
  checks.push(check('git', 'git.branch', 'ok', `branch "${g.branch}" is at ${found.sha.slice(0, 12)}`));
  if (plan.groups.length === 0) {
    checks.push(
      check('git', 'git.values', 'warning', 'no current release and no "default" template: the values files to check are unknown'),
    );
    return checks;
  }
  let renderable = true;
  for (const [i, group] of plan.groups.entries()) {
    const path = paths[i] as string;
    const existing = found.files[path];
    if (existing === undefined) {
      renderable = false;
      checks.push(
        check(
          'git',
          `git.values:${group}`,
          'error',
          `values file ${path} (group ${group}) not found on ${where}: create it (a map such as "workloads: {}" is enough) ` +
            `where the group's Argo CD Application reads its values, or fix gitops.pathPattern ("${g.pathPattern}")`,
        ),
      );
      continue;
    }
    try {
      renderValuesFile({
        existing,
        environment: target.name,
        group,
        ...releaseFields(plan.release),
        services: servicesOf(plan.release, group),
      });
      checks.push(check('git', `git.values:${group}`, 'ok', `values file ${path} exists and renders`));
    } catch (err) {
      renderable = false;
      checks.push(
        check('git', `git.values:${group}`, 'error', `values file ${path} cannot be rendered: ${reason(err)}; fix the YAML on ${where}`),
      );
    }
  }
  checks.push(diffCheck(target, plan, found.files, renderable));
  return checks;
}

function diffCheck(target: PreflightTarget, plan: Plan, files: Record<string, string | undefined>, renderable: boolean): PreflightCheck {
  const release = plan.release;
  if (!release) return check('git', 'git.diff', 'ok', 'no current release yet: the first promotion writes the values files', { diff: '' });
  if (!renderable)
    return check('git', 'git.diff', 'error', 'pending change unknown: a values file is missing or does not render', { diff: '' });
  const rendered = renderEnvironment({
    environment: target.name,
    descriptor: release.descriptor as Descriptor,
    releaseId: release.id,
    descriptorDigest: release.digest,
    productVersion: release.productVersion,
    readFile: (p) => files[p],
    pathPattern: target.gitops.pathPattern,
  }).files.filter((f) => f.changed);
  const label = `${release.productVersion} (${release.id})`;
  if (rendered.length === 0) return check('git', 'git.diff', 'ok', `values files match the current release ${label}`, { diff: '' });
  const diff = rendered.map((f) => unifiedDiff(f.path, files[f.path], f.content)).join('');
  return check(
    'git',
    'git.diff',
    'warning',
    `Git differs from the current release ${label} in ${rendered.map((f) => f.path).join(', ')}: ` +
      'the next promotion of that release would make the change shown (someone edited the files, or a promotion did not finish)',
    { diff },
  );
}

function releaseFields(release: ReleaseRow | undefined): { releaseId: string; descriptorDigest: string; productVersion: string } {
  return release
    ? { releaseId: release.id, descriptorDigest: release.digest, productVersion: release.productVersion }
    : { releaseId: 'preflight', descriptorDigest: 'preflight', productVersion: '0.0.0' };
}

function servicesOf(release: ReleaseRow | undefined, group: string): NonNullable<Descriptor[string]> {
  return ((release?.descriptor as Descriptor | undefined)?.[group] ?? {}) as NonNullable<Descriptor[string]>;
}
