// Shared by the promotion step activities: loads the deployment, its environment and release from the
// database (inputs carry ids only, so no configuration or secret ever enters workflow history), gets the
// Argo CD and Kubernetes clients from the injected TargetClients, and maps errors to retryable or terminal failures.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { activityInfo, ApplicationFailure } from '@temporalio/activity';
import { DEFAULT_ARGO_TIMEOUT_MS, type ActivityDeps } from './deps.js';
import { getDeployment, markStepFinished, markStepProgress, markStepStarted, type DeploymentRow } from '../db/deployments.js';
import { getEnvironment, type EnvironmentRow } from '../db/environments.js';
import { getRelease, type ReleaseRow } from '../db/releases.js';
import { createSecretResolver, SecretError, type SecretResolver } from '../lib/secrets.js';
import { type Application, ArgoCdError, type ArgoClient } from '../integrations/argocd.js';
import { sourceRepositories, writtenSources } from '../integrations/argocd-sources.js';
import { scrubUrlCredentials } from '../lib/secrets.js';
import { KubeApiError, type KubeClient } from '../integrations/kube.js';
import { createTargetClients, type TargetClients } from '../integrations/targets.js';
import { resolveApplications } from '../integrations/argocd-selection.js';
import { groupsOf } from '../domain/environment.js';
import { FAILURE, type FailureType, type StepName } from '../domain/promotion.js';
import { addLogBindings } from '../lib/logger.js';
import { secondsSince, stepDuration } from '../lib/metrics.js';
import { throwIfHeld } from './admission.js';
import { boundedMapsPer } from '../lib/bounded-map.js';

export interface PromotionContext {
  deployment: DeploymentRow;
  environment: EnvironmentRow;
  release: ReleaseRow;
}

export type AppRef = { group: string; name: string };

/** What every forward step's input carries. */
export interface StepInput {
  deploymentId: number;
  /** Since holds-in-step: fail before starting when a governance hold holds the promotion (recordedStep). */
  checkHolds?: boolean;
}

export function secretsOf(deps: ActivityDeps): SecretResolver {
  return deps.secrets ?? createSecretResolver();
}

export function gitWorkDir(deps: ActivityDeps): string {
  return deps.gitWorkDir ?? join(tmpdir(), 'flow-controller-git');
}

export async function loadContext(deps: ActivityDeps, deploymentId: number): Promise<PromotionContext> {
  const db = deps.database.db;
  const deployment = await getDeployment(db, { id: deploymentId });
  if (!deployment) throw ApplicationFailure.nonRetryable(`deployment ${deploymentId} not found`, FAILURE.notFound);
  const environment = await getEnvironment(db, { name: deployment.environment });
  if (!environment) throw ApplicationFailure.nonRetryable(`environment ${deployment.environment} not found`, FAILURE.notFound);
  const release = await releaseOf(deps, deployment.releaseId);
  if (!release) throw ApplicationFailure.nonRetryable(`release ${deployment.releaseId} not found`, FAILURE.notFound);
  return { deployment, environment, release };
}

/** Releases a worker keeps (they never change: every step of a promotion reads the same one), least recent dropped. */
const keptReleases = boundedMapsPer<ActivityDeps, string, ReleaseRow>(32);

/** The release, from the worker's few kept ones (deep-frozen: no caller can change what the next one reads). */
async function releaseOf(deps: ActivityDeps, id: string): Promise<ReleaseRow | undefined> {
  const kept = keptReleases(deps);
  const row = kept.get(id) ?? (await getRelease(deps.database.db, { id }));
  if (row) kept.set(id, deepFreeze(row));
  return row;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * The Argo CD application of each descriptor group, in group order: by the environment's name pattern, or
 * listed from Argo CD by its label selector (integrations/argocd-selection.ts). A group no selected
 * application (or more than one) belongs to is a configuration error naming the group.
 */
export async function applicationsFor(ctx: PromotionContext, argo: ArgoClient): Promise<AppRef[]> {
  let matches;
  try {
    matches = await resolveApplications(argo, ctx.environment, groupsOf(ctx.release.descriptor));
  } catch (err) {
    throw toFailure(err);
  }
  const problems = matches.flatMap((m) => ('problem' in m ? [m.problem] : []));
  if (problems.length > 0) throw ApplicationFailure.nonRetryable(problems.join('; '), FAILURE.configuration);
  return matches.flatMap((m) => ('name' in m ? [{ group: m.group, name: m.name }] : []));
}

/**
 * The 0-based positions of the application's sources Flow Controller writes (integrations/argocd-sources.ts):
 * `[0]` for a single-source app, the sources reading the environment's GitOps repository for a multi-source one.
 * A multi-source app with no such source is a configuration error naming the app (retrying cannot fix it).
 */
export function writtenSourcesOf(app: Application, env: Pick<EnvironmentRow, 'gitops'>): number[] {
  const indexes = writtenSources(app, env.gitops.repoUrl);
  if (indexes.length > 0) return indexes;
  const message =
    `Argo CD application ${app.metadata.name} has no source reading ${env.gitops.repoUrl} (its sources: ${sourceRepositories(app)}): ` +
    'point one of its spec.sources (e.g. the "ref: values" source) at gitops.repoUrl, or fix gitops.repoUrl';
  throw ApplicationFailure.nonRetryable(scrubUrlCredentials(message), FAILURE.configuration);
}

/** Clients of a worker whose deps bring none: one set per deps, so that activities share Argo CD sessions. */
const defaultTargets = new WeakMap<ActivityDeps, TargetClients>();

export function targetsOf(deps: ActivityDeps): TargetClients {
  if (deps.targets) return deps.targets;
  let targets = defaultTargets.get(deps);
  if (!targets) {
    targets = createTargetClients({ secrets: secretsOf(deps), argoTimeoutMs: DEFAULT_ARGO_TIMEOUT_MS });
    defaultTargets.set(deps, targets);
  }
  return targets;
}

export function argoClientFor(deps: ActivityDeps, env: EnvironmentRow): ArgoClient {
  try {
    return targetsOf(deps).argoFor(env);
  } catch (err) {
    throw toFailure(err);
  }
}

export function kubeClientFor(deps: ActivityDeps, env: EnvironmentRow): KubeClient {
  try {
    return targetsOf(deps).kubeFor(env);
  } catch (err) {
    throw toFailure(err);
  }
}

/**
 * Maps an error to what Temporal should do with it: configuration problems and 4xx answers are terminal
 * for this attempt series (the step parks for an operator), transient errors are retried.
 */
export function toFailure(err: unknown): Error {
  if (err instanceof ApplicationFailure) return err;
  const failure = (message: string, type: FailureType, nonRetryable: boolean) =>
    ApplicationFailure.create({ message, type, nonRetryable, cause: err as Error });
  if (err instanceof SecretError) return failure(err.message, FAILURE.configuration, true);
  if (err instanceof ArgoCdError) {
    const message = `Argo CD: ${err.message}${err.status ? ` (HTTP ${err.status})` : ''}`;
    return err.retryable ? failure(message, FAILURE.argoCdTransient, false) : failure(message, FAILURE.argoCd, true);
  }
  if (err instanceof KubeApiError) {
    const message = `Kubernetes: ${err.message} (${err.reason})`;
    return err.retryable ? failure(message, FAILURE.kubeTransient, false) : failure(message, FAILURE.kubeApi, true);
  }
  if (err instanceof Error) return err;
  return new Error(String(err));
}

/** Runs the test seam at a named point (no-op in production). */
export async function hook(deps: ActivityDeps, point: string, deploymentId: number): Promise<void> {
  await deps.testHooks?.at(point, { deploymentId, attempt: activityInfo().attempt });
}

export interface StepOutcome {
  status: 'succeeded' | 'skipped';
  message: string;
  observation?: Record<string, unknown>;
}

/**
 * Whether the promotion is still running this step: an activity left running after an abort (a wait cancelled while
 * its compensation runs) must not go on to record a later step. `isAtStep` judges a row already read.
 */
export function isAtStep(d: Pick<DeploymentRow, 'status' | 'currentStep'> | undefined, step: StepName): boolean {
  return d?.status === 'running' && d.currentStep === step;
}

export async function stillAtStep(deps: ActivityDeps, deploymentId: number, step: StepName): Promise<boolean> {
  return isAtStep(await getDeployment(deps.database.db, { id: deploymentId }), step);
}

/**
 * Records a step's attempt in the deployment history around `fn`: running with the attempt number, then
 * succeeded/skipped with its message, or the attempt's error as the step's last message. With `holds`, a
 * governance hold fails the step before it starts (as the local activity before each step did until
 * holds-in-step: workflows/promotion-holds.ts).
 */
export async function recordedStep<T extends StepOutcome>(
  deps: ActivityDeps,
  input: { deploymentId: number; step: StepName; record?: boolean; holds?: boolean },
  fn: () => Promise<T>,
): Promise<T> {
  const db = deps.database.db;
  const record = input.record ?? true;
  addLogBindings({ step: input.step });
  // Once per step, before its first attempt (as the local activity before the step did): an attempt retried after
  // it did its work (a push, a sync) must finish the step, not park halfway through it.
  if (input.holds && activityInfo().attempt === 1) await throwIfHeld(deps, input.deploymentId);
  const started = performance.now();
  if (record) await markStepStarted(db, { deploymentId: input.deploymentId, step: input.step, attempt: activityInfo().attempt });
  try {
    await hook(deps, `${input.step}:start`, input.deploymentId);
    const result = await fn();
    if (record) {
      await markStepFinished(db, {
        deploymentId: input.deploymentId,
        step: input.step,
        status: result.status,
        message: result.message,
        ...(result.observation ? { observation: result.observation } : {}),
      });
    }
    stepDuration.observe({ step: input.step, outcome: result.status }, secondsSince(started));
    return result;
  } catch (err) {
    stepDuration.observe({ step: input.step, outcome: 'failed' }, secondsSince(started));
    const failure = toFailure(err);
    if (record) {
      await markStepProgress(db, {
        deploymentId: input.deploymentId,
        step: input.step,
        message: `attempt ${activityInfo().attempt}: ${failure.message}`,
      }).catch(() => undefined);
    }
    throw failure;
  }
}
