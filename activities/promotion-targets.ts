// The clusters a promotion step acts on (domain/clusters.ts): every target of the environment — the top-level
// Argo CD/Kubernetes pair and each of `clusters` — with its own clients, and each target's applications
// resolved against its own Argo CD (by pattern or by selector). The Git side is the environment's, committed
// once. With several clusters an application is shown as `<cluster>/<application>` and every failure that
// comes from one cluster names it; a single-cluster environment reads exactly as before.
import { ApplicationFailure } from '@temporalio/activity';
import type { ActivityDeps } from './deps.js';
import { applicationsFor, targetsOf as clientsOf, toFailure, type AppRef, type PromotionContext } from './promotion-context.js';
import { targetsOf, type DeployTarget } from '../domain/clusters.js';
import type { ArgoClient } from '../integrations/argocd.js';
import type { KubeClient } from '../integrations/kube.js';

/** One target of the promotion, with its clients (built lazily: a step that reads no Kubernetes builds none). */
export interface PromotionTarget extends DeployTarget {
  /** Whether the environment spans several clusters (then labels and failures name the cluster). */
  several: boolean;
  argo(): ArgoClient;
  kube(): KubeClient;
}

/** An application of one target. */
export interface TargetApp extends AppRef {
  target: PromotionTarget;
  /** What messages and observations show: `name`, or `<cluster>/<name>` when there are several clusters. */
  label: string;
}

export function promotionTargets(deps: ActivityDeps, ctx: PromotionContext): PromotionTarget[] {
  const targets = targetsOf(ctx.environment);
  const several = targets.length > 1;
  return targets.map((t) => {
    let argo: ArgoClient | undefined;
    let kube: KubeClient | undefined;
    const target: PromotionTarget = {
      ...t,
      several,
      argo: () => (argo ??= onClusterSync(target, () => clientsOf(deps).argoFor(t))),
      kube: () => (kube ??= onClusterSync(target, () => clientsOf(deps).kubeFor(t))),
    };
    return target;
  });
}

/**
 * The applications of every target, target by target in configuration order, each in group order. A group no
 * application of a target belongs to is a configuration failure naming the cluster.
 */
export async function targetApplications(deps: ActivityDeps, ctx: PromotionContext): Promise<TargetApp[]> {
  const out: TargetApp[] = [];
  for (const target of promotionTargets(deps, ctx)) {
    const refs = await onCluster(target, () =>
      applicationsFor({ ...ctx, environment: { ...ctx.environment, argocd: target.argocd } }, target.argo()),
    );
    for (const ref of refs) out.push({ ...ref, target, label: target.several ? `${target.name}/${ref.name}` : ref.name });
  }
  return out;
}

/** Runs `fn` for one target: any failure is mapped (toFailure) and, with several clusters, names the cluster. */
export async function onCluster<T>(target: Pick<PromotionTarget, 'name' | 'several'>, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw naming(target, err);
  }
}

function onClusterSync<T>(target: Pick<PromotionTarget, 'name' | 'several'>, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw naming(target, err);
  }
}

/** The failure of `err`, its message prefixed `cluster <name>: ` when the environment has several clusters. */
export function naming(target: Pick<PromotionTarget, 'name' | 'several'>, err: unknown): Error {
  const failure = toFailure(err);
  const prefix = `cluster ${target.name}: `;
  if (!target.several || failure.message.startsWith(prefix)) return failure;
  if (failure instanceof ApplicationFailure) {
    return ApplicationFailure.create({
      message: `${prefix}${failure.message}`,
      ...(failure.type ? { type: failure.type } : {}),
      nonRetryable: failure.nonRetryable === true,
      details: failure.details ? [...failure.details] : [],
      cause: failure.cause ?? failure,
    });
  }
  const wrapped = new Error(`${prefix}${failure.message}`, { cause: failure });
  wrapped.name = failure.name; // Temporal reports a plain error's name as its failure type
  return wrapped;
}
