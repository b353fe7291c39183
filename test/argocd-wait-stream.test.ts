// The convergence wait's watch streams under activity cancellation and on events (activities/argocd-observe.ts):
// a cancelled wait aborts its open streams at once, and a stream event settles the wait without waiting for the
// (here one-minute) poll interval. Runs the real activity against a real database record and a scripted Argo CD
// client whose stream is a response body the test writes.
import { MockActivityEnvironment } from '@temporalio/testing';
import { CancelledFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { createArgocdWait } from '../activities/argocd-wait.js';
import type { ActivityDeps } from '../activities/deps.js';
import type { Application, ArgoClient } from '../integrations/argocd.js';
import { silentLogger, useTestDatabase } from './harness.js';
import { finishedApp, useWaitDeployment, WAIT_SHA } from './wait-fixture.js';

const db = useTestDatabase();
const SHA = WAIT_SHA;
const fixture = useWaitDeployment(db, 'ws');
const app = (name: string, healthy: boolean) => finishedApp(name, healthy, fixture.deploymentId);

/** A scripted Argo CD: GETs answer `state(name)`; every stream is a body the test writes to with `push`. */
function scripted(state: (name: string) => Application, over: Partial<ActivityDeps> = {}) {
  const enc = new TextEncoder();
  const streams: Array<{ name: string; signal: AbortSignal; push(app: Application): void }> = [];
  let gets = 0;
  const argo = {
    getApplication: async (name: string) => {
      gets++;
      return state(name);
    },
    openStream: async (path: string, signal: AbortSignal) => {
      const name = new URL(path, 'http://x').searchParams.get('name') ?? '';
      let ctl!: ReadableStreamDefaultController<Uint8Array>;
      const body = new ReadableStream<Uint8Array>({ start: (c) => void (ctl = c) });
      const push = (a: Application) =>
        ctl.enqueue(enc.encode(`data: ${JSON.stringify({ result: { type: 'MODIFIED', application: a } })} \n\n`));
      streams.push({ name, signal, push });
      push(state(name)); // the ADDED replay (type does not matter to the wait)
      return new Response(body, { headers: { 'Content-Type': 'text/event-stream' } });
    },
  } as unknown as ArgoClient;
  const deps = {
    database: db.database,
    logger: silentLogger,
    pollIntervalMs: 60_000,
    targets: { argoFor: () => argo, kubeFor: () => ({}) as never },
    ...over,
  } as unknown as ActivityDeps;
  return { deps, streams, gets: () => gets };
}

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('argocd-wait on watch streams', () => {
  it('a stream event settles the wait without waiting for the poll interval', async () => {
    let healthy = false;
    const s = scripted((name) => app(name, healthy));
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 120_000 });
    const run = env.run(createArgocdWait(s.deps).argocdWait, {
      deploymentId: fixture.deploymentId,
      sha: SHA,
      deadlineAtMs: Date.now() + 60_000,
    });
    await until(() => s.streams.length === 2);
    healthy = true;
    for (const st of s.streams) st.push(app(st.name, true));
    const result = (await run) as { status: string; reads: number; events: number };
    expect(result.status).toBe('succeeded');
    expect(result.reads).toBe(2); // the first GET of each app; the rest came on the streams
    expect(result.events).toBeGreaterThanOrEqual(4);
    expect(s.gets()).toBe(2);
    expect(s.streams.every((st) => st.signal.aborted)).toBe(true); // closed once converged
  });

  it('cancelling the activity aborts its open streams', async () => {
    const s = scripted((name) => app(name, false));
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 120_000 });
    const run = env.run(createArgocdWait(s.deps).argocdWait, {
      deploymentId: fixture.deploymentId,
      sha: SHA,
      deadlineAtMs: Date.now() + 60_000,
    });
    await until(() => s.streams.length === 2);
    expect(s.streams.some((st) => st.signal.aborted)).toBe(false);
    env.cancel();
    await expect(run).rejects.toBeInstanceOf(CancelledFailure);
    expect(s.streams.every((st) => st.signal.aborted)).toBe(true);
  });

  it('a stream that goes silent without ending cannot freeze the wait: safety reads with GET still see convergence', async () => {
    let healthy = false;
    // The streams replay the first state and then say nothing more; only GETs can see the application converge.
    const s = scripted((name) => app(name, healthy), { pollIntervalMs: 100, streamSafetyReadMs: 300 });
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 120_000 });
    const run = env.run(createArgocdWait(s.deps).argocdWait, {
      deploymentId: fixture.deploymentId,
      sha: SHA,
      deadlineAtMs: Date.now() + 60_000,
    });
    await until(() => s.streams.length === 2 && s.gets() >= 2);
    healthy = true;
    const result = (await run) as { status: string; reads: number; events: number };
    expect(result.status).toBe('succeeded');
    expect(result.reads).toBeGreaterThan(2); // the first GETs, then at least one safety read
    expect(result.events).toBe(2); // the replays only
  });
});
