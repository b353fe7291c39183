// GET /v1/events (issue 13): the event log written by triggers, streamed as Server-Sent Events, filtered,
// resumable with Last-Event-ID; and the ordering guarantee under concurrent transactions (db/events.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import { uniqueEnvName, useTestDatabase } from '../../test/harness.js';
import {
  apiHarness,
  errorOf,
  SEED_DESCRIPTOR,
  SEED_TEMPLATE,
  type ApiHarness,
  unreachableEnvironmentConfig,
} from '../../test/api-harness.js';
import { currentPosition, readEvents } from '../../db/events.js';
import { insertFreezeWindow } from '../../db/freezes.js';

const db = useTestDatabase();
const E_EV_A = uniqueEnvName('ev-a');
const E_EV_B = uniqueEnvName('ev-b');

let h: ApiHarness;
let releaseId: string;

beforeAll(async () => {
  h = await apiHarness(db.database, { EVENTS_POLL_MS: '200' });
  for (const env of [E_EV_A, E_EV_B])
    expect((await h.call('PUT', `/v1/environments/${env}`, { body: unreachableEnvironmentConfig() })).status).toBe(201);
  expect((await h.call('PUT', '/v1/templates/default', { body: SEED_TEMPLATE })).status).toBeLessThan(300);
  const rel = await h.call('POST', '/v2/releases/create/1.0.0', { body: SEED_DESCRIPTOR, token: h.tokens.releaser });
  releaseId = rel.body.releaseId;
});

interface SseEvent {
  id: string;
  event: string;
  data: Record<string, unknown>;
}

/** Opens a stream through the app; `next(n)` reads until n more events arrived (or the test times out). */
async function open(query: string, headers: Record<string, string> = {}) {
  const res = await h.app.request(`/v1/events${query}`, { headers: { authorization: `Bearer ${h.tokens.viewer}`, ...headers } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const received: SseEvent[] = [];
  const next = async (n: number): Promise<SseEvent[]> => {
    const want = received.length + n;
    while (received.length < want) {
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended');
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = Object.fromEntries(
          frame
            .split('\n')
            .filter((l) => !l.startsWith(':') && l.includes(': '))
            .map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]),
        );
        if (fields.data)
          received.push({ id: fields.id ?? '', event: fields.event ?? '', data: JSON.parse(fields.data) as Record<string, unknown> });
      }
    }
    return received.slice(want - n, want);
  };
  return { next, close: () => reader.cancel() };
}

describe('GET /v1/events', () => {
  it('streams the transitions of one environment as they happen, and resumes after Last-Event-ID', async () => {
    const a = await open(`?environment=${E_EV_A}`);
    // Another environment's events are not this stream's.
    expect((await h.call('POST', `/v2/releases/${releaseId}/promote`, { body: { environment: E_EV_B } })).status).toBe(202);
    const promoted = await h.call('POST', `/v2/releases/${releaseId}/promote`, { body: { environment: E_EV_A } });
    expect(promoted.status).toBe(202);
    const [created] = await a.next(1);
    expect(created).toMatchObject({
      event: 'deployment',
      data: {
        type: 'deployment',
        environment: E_EV_A,
        releaseId,
        deploymentId: promoted.body.deploymentId,
        status: 'pending',
        created: true,
      },
    });
    const freeze = await h.call('POST', '/v1/freezes', {
      body: {
        environment: E_EV_A,
        schedule: { type: 'once', from: '2030-01-01T00:00:00Z', until: '2030-01-02T00:00:00Z' },
        reason: 'later',
      },
    });
    expect(freeze.status).toBe(201);
    const [frozen] = await a.next(1);
    expect(frozen).toMatchObject({ event: 'freeze', data: { environment: E_EV_A, kind: 'deny', reason: 'later', scheduleType: 'once' } });
    await a.close();

    // Resuming after the first event replays exactly what followed it.
    const resumed = await open(`?environment=${E_EV_A}`, { 'last-event-id': created?.id ?? '' });
    expect((await resumed.next(1))[0]?.id).toBe(frozen?.id);
    await resumed.close();
  });

  it('refuses a Last-Event-ID that is not one of its positions (400)', async () => {
    for (const bad of ['abc', '1', '1.2.3', '-1.2']) {
      const res = await h.call('GET', `/v1/events?after=${encodeURIComponent(bad)}`);
      expect(res.status, bad).toBe(400);
      expect(errorOf(res.body).code).toBe('BAD_REQUEST');
    }
    expect((await h.call('GET', '/v1/events', { token: null })).status).toBe(401);
  });
});

describe('event log order', () => {
  it('holds back a transaction that commits after an older one still running: a position is never passed', async () => {
    const start = await currentPosition(db.database.sql);
    const window = (reason: string) => ({
      environment: E_EV_B,
      kind: 'deny' as const,
      schedule: { type: 'once' as const, from: '2031-01-01T00:00:00Z', until: '2031-01-02T00:00:00Z' },
      reason,
      actor: { name: 'test', tokenId: null },
    });
    let releaseOlder: () => void = () => undefined;
    let written: () => void = () => undefined;
    const olderWrote = new Promise<void>((resolve) => (written = resolve));
    const older = db.database.db.transaction(async (tx) => {
      await insertFreezeWindow(tx, window('older'));
      written();
      await new Promise<void>((resolve) => (releaseOlder = resolve));
    });
    // The older transaction has written its event and stays open while a newer one commits.
    await olderWrote;
    await db.database.db.transaction((tx) => insertFreezeWindow(tx, window('newer')));
    const filter = { environment: E_EV_B };
    expect(await readEvents(db.database.sql, { after: start, filter, limit: 10 })).toEqual([]);
    releaseOlder();
    await older;
    // Other test files' transactions (xids are cluster-wide) may hold both back a moment longer: wait for them.
    await expect
      .poll(async () => (await readEvents(db.database.sql, { after: start, filter, limit: 10 })).map((r) => r.data.reason), {
        timeout: 30_000,
      })
      .toEqual(['older', 'newer']);
  });
});
