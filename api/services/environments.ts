// The one way environments are created or updated: the PUT route, FC_ENVIRONMENTS_FILE at start-up and
// the sandbox all go through upsertEnvironments (upstream graph checked against what is stored, one audit
// event per environment), in one transaction.
import { readFileSync } from 'node:fs';
import { ApiError } from '../errors.js';
import { checkArgoSelection, checkUpstreamGraph, EnvironmentsFile, type EnvironmentConfig } from '../../domain/environment.js';
import { checkTargetPolicy, type TargetPolicy } from '../../domain/target-policy.js';
import { checkClusters } from '../../domain/clusters.js';
import { listEnvironments, upsertEnvironment, type EnvironmentRow } from '../../db/environments.js';
import { recordAudit } from '../../db/audit.js';
import type { Database, Tx } from '../../db/client.js';
import { targetPolicyOf, type Config } from '../../lib/config.js';

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
  const policyProblems = Object.entries(input.configs).flatMap(([name, config]) =>
    [...checkTargetPolicy(config, input.policy), ...checkArgoSelection(config.argocd), ...checkClusters(config, input.policy)].map(
      (p) => `${name}.${p.path}: ${p.message}`,
    ),
  );
  if (policyProblems.length > 0) {
    throw new ApiError('ENVIRONMENT_INVALID', policyProblems.join('; '), { problems: policyProblems });
  }
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
