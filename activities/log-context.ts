// Log bindings of promotion activities: every line logged while a promotion's activity runs carries its
// `deploymentId`, `releaseId`, `environment` and `step` (lib/logger.ts withLogBindings), whichever logger writes it
// (deps.logger, the Git and Argo CD clients' callers, the Temporal SDK's own activity lines through its log
// attributes). An activity interceptor (worker.ts createWorker) reads the ids from the activity's input and the
// deployment's record (one primary-key read); `step` is the activity type until recordedStep names the step.
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { eq } from 'drizzle-orm';
import type { ActivityDeps } from './deps.js';
import { deployments } from '../db/promotion-schema.js';
import { withLogBindings } from '../lib/logger.js';
import { boundedMapsPer } from '../lib/bounded-map.js';

function field(arg: unknown, name: string): unknown {
  return arg !== null && typeof arg === 'object' ? (arg as Record<string, unknown>)[name] : undefined;
}

/** A deployment's release and environment never change: each worker keeps the last ones it read. */
const keptBindings = boundedMapsPer<ActivityDeps, number, { releaseId: string; environment: string }>(1024);

async function bindingsOf(deps: ActivityDeps, arg: unknown): Promise<Record<string, unknown> | undefined> {
  const deploymentId = field(arg, 'deploymentId');
  if (typeof deploymentId === 'number' && Number.isSafeInteger(deploymentId)) {
    const kept = keptBindings(deps);
    const known = kept.get(deploymentId);
    if (known) return { deploymentId, ...known };
    const [row] = await deps.database.db
      .select({ releaseId: deployments.releaseId, environment: deployments.environment })
      .from(deployments)
      .where(eq(deployments.id, deploymentId))
      .catch(() => []);
    if (row) kept.set(deploymentId, row);
    return { deploymentId, ...(row ?? {}) };
  }
  const environment = field(arg, 'environment');
  return typeof environment === 'string' ? { environment } : undefined;
}

export function logContextInterceptor(deps: ActivityDeps): ActivityInterceptorsFactory {
  return (ctx) => {
    const bindings: Record<string, unknown> = {};
    return {
      inbound: {
        async execute(input, next) {
          const found = await bindingsOf(deps, input.args[0]);
          if (!found) return next(input);
          Object.assign(bindings, { ...found, step: ctx.info.activityType });
          return withLogBindings(bindings, () => next(input));
        },
      },
      outbound: {
        getLogAttributes: (attributes, next) => next({ ...attributes, ...bindings }),
      },
    };
  };
}
