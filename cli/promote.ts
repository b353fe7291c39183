// `flowctl promote <release> <env> [--wait]`: starts a promotion and, with --wait, follows it through the event
// stream until it succeeds, fails, is aborted or parks, showing each step as it goes. The stream is opened
// before the promotion is requested, so no transition can happen unseen.
import { call, type Api } from './client.js';
import type { Connection } from './config.js';
import { follow, type StreamEvent } from './events.js';
import { CliError, EXIT } from './exit-codes.js';
import { apply, PlainProgress, settled, TtyProgress, type PromotionState, type Writer } from './progress.js';
import type { PromotionStatus } from '../domain/promotion.js';

export interface PromoteOptions {
  releaseId: string;
  environment: string;
  reason?: string | undefined;
  /** Wait in the environment's queue when another promotion runs there (instead of a refusal). */
  queue?: boolean | undefined;
  wait: boolean;
  timeoutMs: number;
  output: 'text' | 'json';
  out: Writer & { isTTY?: boolean; columns?: number };
}

const EXIT_OF: Partial<Record<PromotionStatus, number>> = {
  succeeded: EXIT.ok,
  failed: EXIT.failed,
  aborted: EXIT.aborted,
  // A queued promotion replaced by a newer release (queue policy newest-wins): it never ran.
  superseded: EXIT.aborted,
  awaiting_operator: EXIT.parked,
};

export async function promote(api: Api, conn: Connection, o: PromoteOptions): Promise<number> {
  const request = () =>
    call(() =>
      api.POST('/v2/releases/{releaseId}/promote', {
        params: { path: { releaseId: o.releaseId } },
        body: { environment: o.environment, ...(o.reason ? { reason: o.reason } : {}), ...(o.queue ? { queue: true } : {}) },
      }),
    );
  if (!o.wait) {
    const accepted = await request();
    o.out.write(
      o.output === 'json'
        ? `${JSON.stringify(accepted, null, 2)}\n`
        : `deployment ${accepted.deploymentId} of ${accepted.releaseId} to ${accepted.environment}: ${accepted.status}${accepted.isRollback ? ' (rollback)' : ''}${accepted.status === 'queued' && accepted.queuePosition ? ` (position ${accepted.queuePosition} in the queue)` : ''}\n`,
    );
    return EXIT.ok;
  }

  const stop = new AbortController();
  const deadline = setTimeout(() => stop.abort(), o.timeoutMs);
  let opened: () => void = () => undefined;
  const open = new Promise<void>((resolve) => (opened = resolve));
  const events = follow(conn, { filter: { environment: o.environment }, signal: stop.signal, onOpen: () => opened() });
  // Events that arrive before the answer (which names the deployment) wait here.
  const early: StreamEvent[] = [];
  let consumer: ((e: StreamEvent) => void) | undefined;
  let streamEnded: Promise<void> = Promise.resolve();
  const pump = (async () => {
    for await (const e of events) (consumer ?? ((x: StreamEvent) => early.push(x)))(e);
  })();
  streamEnded = pump.catch((err: unknown) => {
    if (!stop.signal.aborted) throw err;
  });
  try {
    await Promise.race([open, streamEnded.then(() => undefined)]);
    // Never request a promotion once waiting has already been given up (the deadline fired while connecting).
    if (stop.signal.aborted)
      throw new CliError(
        `gave up after ${Math.round(o.timeoutMs / 1000)} s before the event stream opened; nothing was promoted`,
        EXIT.timeout,
      );
    const accepted = await request();
    const details = await call(() =>
      api.GET('/v1/environments/{env}/deployment-history/{id}', {
        params: { path: { env: o.environment, id: accepted.deploymentId } },
      }),
    );
    const state = stateOf(accepted.deploymentId, o.environment, details);
    const view = o.output === 'json' ? undefined : o.out.isTTY ? new TtyProgress(o.out, o.out.columns ?? 100) : new PlainProgress(o.out);
    if (o.output === 'text') {
      o.out.write(
        `Promoting ${accepted.releaseId} to ${o.environment}: deployment ${accepted.deploymentId}${accepted.isRollback ? ' (rollback)' : ''}\n`,
      );
    }
    view?.render(state);
    let over = false;
    const done = new Promise<void>((resolve) => {
      const onEvent = (e: StreamEvent) => {
        if (over) return;
        const changed = apply(state, e);
        if (settled(state)) {
          // Not shown yet: the final picture (read once more below) shows the last steps before the outcome.
          over = true;
          resolve();
        } else if (changed) view?.render(state);
      };
      for (const e of early.splice(0)) onEvent(e);
      consumer = onEvent;
      if (settled(state)) resolve();
    });
    const ticker = view instanceof TtyProgress ? setInterval(() => view.render(state), 120) : undefined;
    try {
      await Promise.race([
        done,
        streamEnded.then(() => {
          if (!settled(state)) throw new CliError('event stream ended', EXIT.failed);
        }),
      ]);
    } finally {
      clearInterval(ticker);
    }
    if (!settled(state))
      throw new CliError(`gave up waiting after ${Math.round(o.timeoutMs / 1000)} s; the promotion goes on`, EXIT.timeout);
    over = true;
    // The record's step and status change in one transaction, so their events may come in either order: the
    // final picture is read once more rather than pieced together.
    const final = await call(() =>
      api.GET('/v1/environments/{env}/deployment-history/{id}', { params: { path: { env: o.environment, id: accepted.deploymentId } } }),
    );
    Object.assign(state, stateOf(accepted.deploymentId, o.environment, final));
    view?.render(state);
    return finish(o, state);
  } catch (err) {
    if (stop.signal.aborted && !(err instanceof CliError && err.exitCode !== EXIT.failed)) {
      throw new CliError(`gave up waiting after ${Math.round(o.timeoutMs / 1000)} s; the promotion goes on`, EXIT.timeout);
    }
    throw err;
  } finally {
    clearTimeout(deadline);
    stop.abort();
    await events.return(undefined).catch(() => undefined);
  }
}

interface Details {
  status: string;
  message?: string | null;
  steps: Array<{
    name: string;
    status: string;
    attempts: number;
    startedAt?: string | null;
    finishedAt?: string | null;
    message?: string | null;
  }>;
}

function stateOf(deploymentId: number, environment: string, d: Details): PromotionState {
  return {
    deploymentId,
    environment,
    status: d.status as PromotionStatus,
    message: d.message ?? null,
    steps: d.steps.map((s) => ({
      step: s.name,
      status: s.status,
      attempts: s.attempts,
      startedAt: s.startedAt ?? null,
      finishedAt: s.finishedAt ?? null,
      message: s.message ?? null,
    })),
  };
}

function finish(o: PromoteOptions, state: PromotionState): number {
  const code = EXIT_OF[state.status] ?? EXIT.failed;
  if (o.output === 'json') {
    o.out.write(`${JSON.stringify({ ...state, exitCode: code }, null, 2)}\n`);
    return code;
  }
  if (state.status === 'awaiting_operator') {
    o.out.write(
      `parked: ${state.message ?? 'a step failed'}\n` +
        `fix the cause, then: flowctl retry ${state.environment} ${state.deploymentId}   (or: flowctl abort ${state.environment} ${state.deploymentId})\n`,
    );
  } else {
    o.out.write(`${state.status}${state.message ? `: ${state.message}` : ''}\n`);
  }
  return code;
}
