// Preflight: "tell me what is wrong before my first promotion". Checks an environment's configuration against
// the systems it names — Git (preflight-git.ts: reachable with the configured credentials, branch, every file the
// image mappings name and the pending diff), Argo CD (preflight-targets.ts: reachable, authenticated, each Application, its source, auto-sync,
// sync windows) and Kubernetes (reachable with the token, namespace, workloads readable) — and reports each
// check as ok | warning | error with a message a platform engineer can act on. Read-only: it writes nothing
// anywhere. The three targets are checked concurrently; every outbound call is bounded by its client's
// timeout (Git: PREFLIGHT_GIT_TIMEOUT_MS per command). Secrets are resolved through the SecretResolver under
// the installation's policy, exactly as the promotion steps resolve them.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '../../db/client.js';
import { getRelease, listReleases } from '../../db/releases.js';
import { getTemplate } from '../../db/templates.js';
import { listEnvironments } from '../../db/environments.js';
import type { ArgoTarget, ClusterTarget, GitopsTarget, KubeTarget } from '../../domain/environment.js';
import type { Descriptor, Template } from '../../domain/descriptor.js';
import { createTargetClients, type TargetClients } from '../../integrations/targets.js';
import { targetPolicyOf, type Config } from '../../lib/config.js';
import type { Logger } from '../../lib/logger.js';
import { createSecretResolver, type SecretResolver } from '../../lib/secrets.js';
import { reason, summaryOf, worst, type CheckStatus, type PreflightReport } from './preflight-checks.js';
import { gitChecks, planFor, type GitPlan } from './preflight-git.js';
import type { PlannedFile } from './preflight-targets.js';
import { clusterChecks } from './preflight-clusters.js';

export { PREFLIGHT_GIT_TIMEOUT_MS } from './preflight-git.js';
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

/** The release the Git checks render (preflight-git.ts), and the groups every check covers. */
interface Plan extends GitPlan {
  groups: string[];
}

export async function runPreflight(deps: PreflightDeps, target: PreflightTarget): Promise<PreflightReport> {
  const started = Date.now();
  const plan = await planOf(deps.database, target);
  // Argo CD and Kubernetes of every cluster the environment spans (preflight-clusters.ts).
  const [git, clusters] = await Promise.all([
    gitChecks(deps, target.name, target.gitops, plan),
    clusterChecks(deps.targets, target, plan.groups, filesOf(target, plan)),
  ]);
  const checks = [...git, ...clusters];
  deps.logger.info({ environment: target.name, status: worst(checks), checks: checks.length }, 'preflight finished');
  return {
    environment: target.name,
    status: worst(checks),
    releaseId: plan.release?.id ?? null,
    currentReleaseId: target.currentReleaseId,
    groups: plan.groups,
    checkedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    checks,
  };
}

/** The files each group's Application should read, from the mapping plan (undefined: the plan failed; the Git checks say why). */
function filesOf(target: PreflightTarget, plan: Plan): ((group: string) => PlannedFile[]) | undefined {
  const plans = planFor(target.name, target.gitops, plan.descriptor);
  if (plans instanceof Error || plans.length === 0) return undefined;
  return (group) => plans.filter((p) => p.services.some((s) => s.group === group)).map((p) => ({ path: p.path, type: p.type }));
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
  const current = target.currentReleaseId ? await getRelease(db.db, { id: target.currentReleaseId }) : undefined;
  const latestId = current ? undefined : (await listReleases(db.db, { limit: 1 })).rows[0]?.id;
  const release = current ?? (latestId ? await getRelease(db.db, { id: latestId }) : undefined);
  if (release) {
    const descriptor = release.descriptor as Descriptor;
    return { release, source: current ? 'current' : 'latest', descriptor, groups: Object.keys(descriptor).sort() };
  }
  // No release at all: the services of the default template (what the first release will have), tags made up.
  const template = await getTemplate(db.db, { key: 'default' });
  if (!template) return { release: undefined, source: 'none', descriptor: undefined, groups: [] };
  const descriptor = descriptorOf(template.document as Template);
  return { release: undefined, source: 'template', descriptor, groups: Object.keys(descriptor).sort() };
}

/** A template as a descriptor for checking files only: `optional` dropped, placeholder tags replaced by `0.0.0`. */
function descriptorOf(template: Template): Descriptor {
  const out: Descriptor = {};
  for (const [group, services] of Object.entries(template)) {
    const g: NonNullable<Descriptor[string]> = {};
    for (const [service, kinds] of Object.entries(services)) {
      for (const [kind, workload] of Object.entries(kinds)) {
        if (!workload) continue;
        const containers = Object.fromEntries(
          Object.entries(workload.containers).map(([name, c]) => [name, { repo: c.repo, tag: c.tag.includes('<') ? '0.0.0' : c.tag }]),
        );
        g[service] = { [kind]: { containers } };
      }
    }
    out[group] = g;
  }
  return out;
}
