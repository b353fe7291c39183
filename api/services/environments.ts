// The one way environments are created or updated: the PUT route, FC_ENVIRONMENTS_FILE at start-up and
// the sandbox all go through upsertEnvironments (upstream graph checked against what is stored, one audit
// event per environment), in one transaction. The PUT route first checks the image mappings against Git
// (checkMappedFiles): the files and paths they name must exist on the branch.
import { readFileSync } from 'node:fs';
import { ApiError } from '../errors.js';
import { checkArgoSelection, checkUpstreamGraph, EnvironmentsFile, type EnvironmentConfig } from '../../domain/environment.js';
import { checkImageMappings, resolvableMappings } from '../../domain/image-mapping.js';
import { GitAuthError, GitPermanentError } from '../../gitops/errors.js';
import { mappedFilesProblems } from '../../gitops/mappings/check.js';
import { readBranchFiles } from '../../gitops/repo.js';
import { checkTargetPolicy, type TargetPolicy } from '../../domain/target-policy.js';
import { checkClusters } from '../../domain/clusters.js';
import { checkVerificationPolicy } from '../../domain/verification-policy.js';
import { listEnvironments, upsertEnvironment, type EnvironmentRow } from '../../db/environments.js';
import { recordAudit } from '../../db/audit.js';
import type { Database, Tx } from '../../db/client.js';
import { targetPolicyOf, type Config } from '../../lib/config.js';
import { remoteOf, type GitDeps } from './preflight-git.js';
import { reason } from './preflight-checks.js';

/** The actor of changes made by the process itself (environments file, sandbox). */
export const SYSTEM = { name: 'system', tokenId: null };

/**
 * Where configurations come from: an API request (its audit events carry the request id and the
 * configuration) or a named source such as a file path or "sandbox".
 */
export type EnvironmentSource = { requestId: string } | { name: string };

export interface UpsertEnvironmentsInput {
  configs: Record<string, EnvironmentConfig>;
  actor: { name: string; tokenId: string | null };
  source: EnvironmentSource;
  /** The installation's secret-reference and host policy (lib/config.ts targetPolicyOf). */
  policy: TargetPolicy;
}

/**
 * Creates or updates `configs` in one transaction (nested in `tx` when it is one). Each configuration must
 * keep the installation's target policy (secret references that can resolve, no credentials in URLs, allowed
 * hosts) and the upstream graph of the stored environments with these applied must hold: otherwise 422
 * ENVIRONMENT_INVALID naming the fields, and nothing is stored.
 */
export async function upsertEnvironments(
  tx: Tx,
  input: UpsertEnvironmentsInput,
): Promise<Array<{ name: string; row: EnvironmentRow; created: boolean }>> {
  checkEnvironmentConfigs(input.configs, input.policy);
  return tx.transaction(async (t) => {
    const all = Object.fromEntries((await listEnvironments(t)).map((e) => [e.name, { upstream: e.upstream }]));
    for (const [name, config] of Object.entries(input.configs)) all[name] = { upstream: config.upstream };
    const problems = checkUpstreamGraph(all);
    if (problems.length > 0) throw new ApiError('ENVIRONMENT_INVALID', problems.join('; '), { problems });
    const results: Array<{ name: string; row: EnvironmentRow; created: boolean }> = [];
    for (const [name, config] of Object.entries(input.configs)) {
      const { row, created } = await upsertEnvironment(t, { name, config });
      const source = input.source;
      await recordAudit(t, {
        actor: input.actor,
        action: created ? 'environment.created' : 'environment.updated',
        subjectType: 'environment',
        subjectId: name,
        ...('requestId' in source
          ? { requestId: source.requestId, details: { config: config as unknown as Record<string, unknown> } }
          : { details: { source: source.name } }),
      });
      results.push({ name, row, created });
    }
    return results;
  });
}

/**
 * The checks of a configuration that need nothing but itself and the installation's policy: secret references and
 * hosts (target policy), application selection, image-mapping rules. 422 ENVIRONMENT_INVALID naming the fields.
 */
export function checkEnvironmentConfigs(configs: Record<string, EnvironmentConfig>, policy: TargetPolicy): void {
  const problems = Object.entries(configs).flatMap(([name, config]) =>
    [
      ...checkTargetPolicy(config, policy),
      ...checkArgoSelection(config.argocd),
      ...checkClusters(config, policy),
      ...checkImageMappings(config.gitops),
      ...checkVerificationPolicy(name, config.verification, policy),
    ].map((p) => `${name}.${p.path}: ${p.message}`),
  );
  if (problems.length > 0) throw new ApiError('ENVIRONMENT_INVALID', problems.join('; '), { problems });
}

/**
 * The image mappings of a configuration against its repository, before it is saved: every mapping whose file
 * resolves without a release (domain/image-mapping.ts resolvableMappings) must find the file on the branch and in
 * it every path, list and workload it names. One depth-1 fetch reads all files; a configuration without such
 * mappings (flow-workloads only, the default) does not touch Git at all. Throws 422 ENVIRONMENT_INVALID naming the
 * field (`gitops.groups.core.services.api.containers.api.tag`), the file and the path; 503 GIT_UNAVAILABLE when
 * the repository cannot be reached (nothing is saved either way).
 */
export async function checkMappedFiles(deps: GitDeps, name: string, config: EnvironmentConfig): Promise<void> {
  const g = config.gitops;
  const entries = resolvableMappings(g, name);
  if (entries.length === 0) return;
  const invalid = (problems: Array<{ field: string; file?: string; message: string }>) => {
    const lines = problems.map((p) => `${name}.${p.field}: ${p.message}`);
    return new ApiError('ENVIRONMENT_INVALID', lines.join('; '), { problems: lines, mappingProblems: problems });
  };
  let remote;
  try {
    remote = remoteOf(deps, g);
  } catch (err) {
    throw invalid([
      { field: 'gitops.credentials', message: `the Git credentials cannot be resolved to check the image mappings: ${reason(err)}` },
    ]);
  }
  let found;
  try {
    found = await readBranchFiles({ ...remote, paths: [...new Set(entries.map((e) => e.file))] });
  } catch (err) {
    deps.logger.warn({ environment: name, err: reason(err) }, 'image mapping check: Git read failed');
    if (err instanceof GitAuthError) {
      throw invalid([
        { field: 'gitops.credentials', message: `Git refused the configured credentials for ${g.repoUrl} (authentication failed)` },
      ]);
    }
    if (err instanceof GitPermanentError) {
      const field = err.details.command === 'fetch' ? 'gitops.repoUrl' : 'gitops';
      throw invalid([{ field, message: `${g.repoUrl} cannot be read: ${reason(err)}` }]);
    }
    throw new ApiError(
      'GIT_UNAVAILABLE',
      `Git repository ${g.repoUrl} could not be read to check the image mappings (${reason(err)}); nothing was saved, try again`,
      { repoUrl: g.repoUrl },
    );
  }
  if (!found) throw invalid([{ field: 'gitops.branch', message: `branch "${g.branch}" does not exist in ${g.repoUrl}` }]);
  const problems = mappedFilesProblems(entries, found.files, g.branch);
  if (problems.length > 0) throw invalid(problems);
}

/** Loads environments at start-up (file or sandbox) as the system actor; returns their names. */
export async function seedEnvironments(
  database: Database,
  configs: Record<string, EnvironmentConfig>,
  source: string,
  policy: TargetPolicy,
): Promise<string[]> {
  try {
    const results = await upsertEnvironments(database.db, { configs, actor: SYSTEM, source: { name: source }, policy });
    return results.map((r) => r.name);
  } catch (err) {
    if (err instanceof ApiError && err.code === 'ENVIRONMENT_INVALID')
      throw new Error(`environments from ${source}: ${err.message}`, { cause: err });
    throw err;
  }
}

/** Reads and validates an environments file; throws with the file name and every problem. */
export function readEnvironmentsFile(path: string): Record<string, EnvironmentConfig> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`FC_ENVIRONMENTS_FILE ${path}: ${(err as Error).message}`);
  }
  const parsed = EnvironmentsFile.safeParse(json);
  if (!parsed.success) {
    throw new Error(`FC_ENVIRONMENTS_FILE ${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data.environments;
}

/** Loads FC_ENVIRONMENTS_FILE, when configured, at start-up (the API process and `npm start`); the names loaded. */
export async function seedEnvironmentsFile(database: Database, config: Config): Promise<string[] | undefined> {
  if (!config.FC_ENVIRONMENTS_FILE) return undefined;
  const file = config.FC_ENVIRONMENTS_FILE;
  return seedEnvironments(database, readEnvironmentsFile(file), file, targetPolicyOf(config));
}
