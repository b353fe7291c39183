// The application watch stream of the simulated Argo CD (sim/argo-stream.ts), read raw and with the project's
// client (integrations/argocd-watch.ts): the ADDED replay, a MODIFIED per change (status-only too), the SSE framing
// Argo's gateway writes, its filters, and the stream faults (ends, unavailable, expired session).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ArgoCdError, createArgoClient, type ArgoClient } from '../integrations/argocd.js';
import { serverSentData, watchApplication, type ApplicationWatchEvent } from '../integrations/argocd-watch.js';
import { createSimulator, type Simulator } from './simulator.js';
import { createRepoFixture, type RepoFixture, valuesYaml } from '../test/sim-fixtures.js';

const V1 = { api: { replicas: 1, images: { api: 'org/api:1.0.0' } }, worker: { images: { worker: 'org/worker:1.0.0' } } };
const FILE = 'environments/dev/core/values.yaml';

let fx: RepoFixture;
let sim: Simulator;
let argo: ArgoClient;

beforeAll(async () => {
  fx = await createRepoFixture({ [FILE]: valuesYaml(V1) });
  sim = await createSimulator({ timing: { operationStartMs: 5, applyMs: 5, observeMs: 5, podStepMs: 5, healthLagMs: 5 } });
  argo = createArgoClient({ baseUrl: sim.argoUrl, ...sim.argoAdmin, timeoutMs: 5_000 });
});
afterAll(async () => {
  await sim.close();
  await fx.cleanup();
});
beforeEach(async () => {
  sim.reset();
  await sim.addApplication({ name: 'dev-core', project: 'flow', repoURL: fx.repo, path: 'environments/dev/core', namespace: 'dev' });
});

/** Reads events until `until` says stop (or the stream ends); the stream is closed afterwards. */
async function collect(
  opts: { project?: string } = {},
  until: (events: ApplicationWatchEvent[]) => boolean | Promise<boolean> = () => false,
): Promise<ApplicationWatchEvent[]> {
  const ac = new AbortController();
  const events: ApplicationWatchEvent[] = [];
  try {
    for await (const e of watchApplication(argo, 'dev-core', { ...opts, signal: ac.signal })) {
      events.push(e);
      if (await until(events)) break;
    }
  } finally {
    ac.abort();
  }
  return events;
}

function bytes(...chunks: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c) {
      for (const ch of chunks) c.enqueue(enc.encode(ch));
      c.close();
    },
  });
}

describe('application watch stream', () => {
  it('replays the current state as ADDED, then sends one MODIFIED per change, status-only ones included', async () => {
    const events = await collect({ project: 'flow' }, async (seen) => {
      if (seen.length === 1) await sim.refresh('dev-core'); // a reconcile: only reconciledAt changes
      return seen.length >= 2;
    });
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED']);
    const [first, second] = events.map((e) => e.application);
    expect(Number(second?.metadata.resourceVersion)).toBeGreaterThan(Number(first?.metadata.resourceVersion));
    expect(second?.status?.sync?.status).toBe(first?.status?.sync?.status);
  });

  it('writes SSE frames as Argo CD does, and nothing for an app the filters exclude', async () => {
    const token = (
      (await (
        await fetch(`${sim.argoUrl}/api/v1/session`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(sim.argoAdmin),
        })
      ).json()) as { token: string }
    ).token;
    const ac = new AbortController();
    const res = await fetch(`${sim.argoUrl}/api/v1/stream/applications?name=dev-core`, {
      headers: { Accept: 'text/event-stream', Authorization: `Bearer ${token}` },
      signal: ac.signal,
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const { value } = await reader.read();
    ac.abort();
    const text = new TextDecoder().decode(value);
    expect(text).toMatch(/^data: \{"result":\{"type":"ADDED","application":\{"metadata":\{"name":"dev-core"/);
    expect(text.endsWith(' \n\n')).toBe(true);
    // Another project: the replay is filtered out (and the gateway sends no headers before a first event).
    const other = new AbortController();
    const pending = fetch(`${sim.argoUrl}/api/v1/stream/applications?name=dev-core&projects=other`, {
      headers: { Accept: 'text/event-stream', Authorization: `Bearer ${token}` },
      signal: other.signal,
    }).then(() => 'answered');
    await sim.refresh('dev-core');
    const raced = await Promise.race([pending, fetch(`${sim.argoUrl}/healthz`).then(() => 'healthz')]);
    other.abort();
    await pending.catch(() => undefined);
    expect(raced).toBe('healthz');
  });

  it('reconcileEvery: every application is reconciled once per period, a MODIFIED event each time (timeout.reconciliation)', async () => {
    sim.reconcileEvery(100);
    const events = await collect({ project: 'flow' }, (seen) => seen.length >= 3);
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'MODIFIED']);
    const versions = events.map((e) => Number(e.application.metadata.resourceVersion));
    expect(versions[2]).toBeGreaterThan(versions[1] ?? Infinity);
    expect(versions[1]).toBeGreaterThan(versions[0] ?? Infinity);
  });

  it('ends when the proxy times out (after N events), cleanly or abruptly; a reconnect replays the state', async () => {
    sim.faults.stream({ closeAfterEvents: 1 });
    expect((await collect()).map((e) => e.type)).toEqual(['ADDED']);
    sim.faults.stream({ closeAfterEvents: 1, abrupt: true });
    const broken = await collect().catch((err: unknown) => err);
    expect(broken instanceof ArgoCdError || Array.isArray(broken)).toBe(true);
    sim.faults.stream(undefined);
    expect((await collect({}, (s) => s.length >= 1))[0]?.type).toBe('ADDED');
  });

  it('delays every event by the delay fault, in order', async () => {
    sim.faults.stream({ delayMs: 300 });
    let changedAt = 0;
    const events = await collect({}, async (seen) => {
      if (seen.length === 1) {
        changedAt = Date.now();
        await sim.refresh('dev-core');
      }
      return seen.length >= 2;
    });
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED']);
    expect(Date.now() - changedAt).toBeGreaterThanOrEqual(300);
  });

  it('an unavailable endpoint (404 of an older proxy, 502) is an ArgoCdError with its status', async () => {
    for (const status of [404, 502]) {
      sim.faults.stream({ unavailableStatus: status });
      const err = await collect().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ArgoCdError);
      expect((err as ArgoCdError).status).toBe(status);
    }
  });

  it('logs in again when the session expired (401), as every call does', async () => {
    await collect({}, (s) => s.length >= 1);
    const logins = () => sim.faults.requestCounts()['argo POST /api/v1/session'] ?? 0;
    const before = logins();
    sim.faults.expireTokens();
    expect((await collect({}, (s) => s.length >= 1))[0]?.type).toBe('ADDED');
    expect(logins()).toBe(before + 1);
  });

  it('parses CRLF split across chunks, comments, multi-line data, and bounds one event', async () => {
    const out: string[] = [];
    for await (const d of serverSentData(bytes(':\n', 'data: a\r', '\ndata: b\r\n\r\n', 'event: x\ndata:c\n\n', 'data: cut'), 1000))
      out.push(d);
    expect(out).toEqual(['a\nb', 'c']);
    const big = serverSentData(bytes(`data: ${'x'.repeat(2000)}`), 1000);
    await expect(big.next()).rejects.toThrow(/larger than 1000 bytes/);
  });
});
