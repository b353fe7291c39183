// Notifications end to end on real services (a promotion on the simulator rig, the real worker and Temporal, a
// local node:http receiver): signed, deduplicated webhook deliveries; a failing receiver (500, then OK) gets retries
// and ends delivered with the same X-Flow-Event-Id; one that always fails ends `dead`; redelivery; a hanging receiver
// does not hold the promotion up; CDEvents bodies; filters; no secret in API responses or Temporal payloads.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { dispatchBatch } from '../db/notification-dispatch.js';
import { verifySignature } from '../domain/notification-signature.js';
import { dispatcherStartOptions, dispatcherWorkflowId } from '../workflows/notify-messages.js';
import { createPromotionFixture, type PromotionFixture } from './promotion-fixture.js';
import { temporalClient, useTestDatabase, waitUntil } from './harness.js';
import { recordHistory } from './history-corpus.js';
import type { Loose } from './api-harness.js';

const db = useTestDatabase();
const SECRET = 'whsec-notify-test-0123456789abcdef';
const SECRET_REF = 'env:FC_SECRET_NOTIFY_WEBHOOK';

interface Received {
  path: string;
  eventId: string;
  signature: string;
  body: string;
  json: Loose;
}

/** Per path: how to answer (a status, or `hang` to hold the request until released). */
const behaviour = new Map<string, Array<number | 'hang'>>();
const received: Received[] = [];
const hanging: ServerResponse[] = [];
/** Everything the worker's activities log (debug and up). */
const logLines: string[] = [];
const captureLogger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });

function handle(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const path = (req.url ?? '/').split('?')[0] as string;
    const body = Buffer.concat(chunks).toString('utf8');
    received.push({
      path,
      eventId: String(req.headers['x-flow-event-id'] ?? ''),
      signature: String(req.headers['x-flow-signature'] ?? ''),
      body,
      json: JSON.parse(body),
    });
    const plan = behaviour.get(path) ?? [];
    const next = (plan.length > 1 ? plan.shift() : plan[0]) ?? 200;
    if (next === 'hang') {
      hanging.push(res);
      return;
    }
    res.writeHead(next).end();
  });
}

const server = createServer(handle);
let base: string;
let f: PromotionFixture;
const subs: Record<string, string> = {};
const until = waitUntil;

/** Every payload of a history, decoded (payload data is base64 in the JSON form). */
function decodedPayloads(history: unknown): string {
  const json = JSON.stringify(history);
  const out: string[] = [json];
  for (const m of json.matchAll(/"data":"([A-Za-z0-9+/=]+)"/g)) out.push(Buffer.from(m[1] as string, 'base64').toString('utf8'));
  return out.join('\n');
}

async function deliveries(sub: string): Promise<Loose[]> {
  const res = await f.h.call('GET', `/v1/notifications/subscriptions/${subs[sub]}/deliveries?limit=200`);
  expect(res.status).toBe(200);
  return res.body.deliveries;
}

async function subscribe(
  name: string,
  target: Record<string, unknown>,
  eventTypes: string[],
  environments: string[] | null,
): Promise<void> {
  const res = await f.h.call('POST', '/v1/notifications/subscriptions', { body: { name, filters: { environments, eventTypes }, target } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  subs[name] = res.body.id;
}

beforeAll(async () => {
  process.env.FC_SECRET_NOTIFY_WEBHOOK = SECRET;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  f = await createPromotionFixture(db.database, { envs: [{ key: 'dev' }, { key: 'other' }] });
  const dev = f.env.dev as string;
  const hook = (path: string) => ({ kind: 'webhook', url: `${base}${path}?token=query-secret-xyz`, secretRef: SECRET_REF });
  await subscribe('ok', hook('/ok'), ['promotion.started', 'promotion.succeeded', 'promotion.failed'], [dev]);
  behaviour.set('/flaky', [500, 500, 200]);
  await subscribe('flaky', hook('/flaky'), ['promotion.succeeded'], [dev]);
  behaviour.set('/dead', [500]);
  await subscribe('dead', hook('/dead'), ['promotion.succeeded'], null);
  behaviour.set('/hang', ['hang']);
  await subscribe('hang', hook('/hang'), ['promotion.started'], [dev]);
  await subscribe('cd', { kind: 'cdevents', url: `${base}/cd` }, ['promotion.succeeded'], [dev]);
  await subscribe('elsewhere', hook('/elsewhere'), ['promotion.started', 'promotion.succeeded'], [f.env.other as string]);
  await subscribe('disabled', hook('/disabled'), ['promotion.succeeded'], null);
  expect((await f.h.call('PATCH', `/v1/notifications/subscriptions/${subs.disabled}`, { body: { enabled: false } })).status).toBe(200);
  await f.startWorker({
    logger: captureLogger,
    notifications: {
      publicUrl: 'https://fc.example',
      timeoutSeconds: 2,
      retry: { initialSeconds: 1, maxIntervalSeconds: 1, maxAttempts: 3 },
    },
  });
  const { client, connection } = await temporalClient();
  try {
    await client.workflow.start('notificationDispatcher', dispatcherStartOptions(f.taskQueue, { pollMs: 200 }));
  } finally {
    await connection.close();
  }
}, 120_000);

afterAll(async () => {
  const { client, connection } = await temporalClient();
  await client.workflow
    .getHandle(dispatcherWorkflowId(f.taskQueue))
    .terminate('test done')
    .catch(() => undefined);
  await connection.close();
  for (const res of hanging) res.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await f?.close();
});

describe('notifications', () => {
  let deploymentId: number;

  it('a hanging receiver does not hold the promotion up; the promotion produces signed webhook deliveries', async () => {
    const releaseId = await f.createRelease('1.4.2');
    const res = await f.promote(releaseId, 'dev');
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    deploymentId = res.body.deploymentId;
    // The hanging receiver has the `started` notification open when the promotion succeeds.
    await until('the hanging receiver to be called', async () => (received.some((r) => r.path === '/hang') ? true : undefined));
    await f.waitFor('dev', deploymentId, ['succeeded']);
    const [hang] = await deliveries('hang');
    expect(hang.type).toBe('promotion.started');
    expect(hang.state).not.toBe('delivered');

    const ok = await until('started and succeeded at /ok', async () => {
      const got = received.filter((r) => r.path === '/ok');
      return got.length >= 2 ? got : undefined;
    });
    expect(ok.map((r) => r.json.type)).toEqual(['promotion.started', 'promotion.succeeded']);
    const log = await deliveries('ok');
    for (const r of ok) {
      expect(verifySignature({ secret: SECRET, header: r.signature, body: r.body, nowSeconds: Math.floor(Date.now() / 1000) })).toBe(true);
      expect(verifySignature({ secret: 'wrong', header: r.signature, body: r.body, nowSeconds: Math.floor(Date.now() / 1000) })).toBe(
        false,
      );
      expect(r.json).toMatchObject({ environment: f.env.dev, deploymentId, releaseId, id: r.eventId });
      expect(r.json.link).toBe(`https://fc.example/ui/#/environments/${f.env.dev}/deployments/${deploymentId}`);
      expect(log.map((d) => d.idempotencyKey)).toContain(r.eventId);
    }
    expect(new Set(ok.map((r) => r.eventId)).size).toBe(2);
  });

  it('a receiver that fails twice gets retries and ends delivered, with one event id across attempts', async () => {
    const [d] = await until('flaky delivered', async () => {
      const ds = await deliveries('flaky');
      return ds[0]?.state === 'delivered' ? ds : undefined;
    });
    expect(d).toMatchObject({ attempts: 3, lastStatusCode: 200, lastError: null, type: 'promotion.succeeded' });
    const calls = received.filter((r) => r.path === '/flaky');
    expect(calls).toHaveLength(3);
    expect(new Set(calls.map((c) => c.eventId))).toEqual(new Set([d.idempotencyKey]));
  });

  it('a receiver that always fails ends dead after the configured attempts, with a redacted error; redelivery delivers', async () => {
    const [d] = await until('dead', async () => {
      const ds = await deliveries('dead');
      return ds[0]?.state === 'dead' ? ds : undefined;
    });
    expect(d).toMatchObject({ attempts: 3, lastStatusCode: 500, lastError: 'receiver answered HTTP 500' });
    behaviour.set('/dead', [200]);
    const redelivered = await f.h.call('POST', `/v1/notifications/deliveries/${d.id}/redeliver`);
    expect(redelivered.status, JSON.stringify(redelivered.body)).toBe(202);
    expect(redelivered.body).toMatchObject({ state: 'pending', redeliveries: 1 });
    const [after] = await until('redelivered', async () => {
      const ds = await deliveries('dead');
      return ds[0]?.state === 'delivered' ? ds : undefined;
    });
    expect(after).toMatchObject({ attempts: 4, lastStatusCode: 200 });
    expect(new Set(received.filter((r) => r.path === '/dead').map((r) => r.eventId))).toEqual(new Set([d.idempotencyKey]));
    // Only admins redeliver.
    expect((await f.h.call('POST', `/v1/notifications/deliveries/${d.id}/redeliver`, { token: f.tokens.promoter })).status).toBe(403);
  });

  it('CDEvents: service.deployed with the v0.4 context', async () => {
    const cd = await until('cdevent', async () => received.find((r) => r.path === '/cd'));
    expect(cd.json.context).toMatchObject({ version: '0.4.1', type: 'dev.cdevents.service.deployed.0.1.1', id: cd.eventId });
    expect(cd.json.subject).toMatchObject({ type: 'service', content: { environment: { id: f.env.dev } } });
    expect(cd.signature).toBe(''); // no secretRef: unsigned
  });

  it('filters: other environments and disabled subscriptions get nothing; re-reading the log duplicates nothing', async () => {
    expect(await deliveries('elsewhere')).toEqual([]);
    expect(await deliveries('disabled')).toEqual([]);
    // A second cursor from the beginning of the log finds the same notifications: every insert is a no-op.
    await db.database.sql`insert into notification_cursors (name, tx, event_id) values ('replay', 0, 0)`;
    const again = await dispatchBatch(db.database.sql, { name: 'replay', limit: 10_000 });
    expect(again.events).toBeGreaterThan(5);
    expect(again.deliveryIds).toEqual([]);
  });

  it('secrets reach neither the API, the stored errors nor the Temporal payloads', async () => {
    behaviour.set('/hang', [200]);
    for (const res of hanging.splice(0)) res.writeHead(200).end();
    // The hanging receiver may have used up the retry budget (3 attempts of 2 s) before this test runs, which depends
    // on how long the tests before it took: then a redelivery brings it to the receiver that now answers.
    let redelivered = false;
    await until('hang delivered', async () => {
      const hang = (await deliveries('hang'))[0];
      if (hang?.state === 'dead' && !redelivered) {
        redelivered = true;
        expect((await f.h.call('POST', `/v1/notifications/deliveries/${hang.id}/redeliver`)).status).toBe(202);
      }
      return hang?.state === 'delivered' ? true : undefined;
    });
    const api = JSON.stringify([
      (await f.h.call('GET', '/v1/notifications/subscriptions')).body,
      ...(await Promise.all(Object.keys(subs).map((s) => deliveries(s)))),
    ]);
    expect(api).not.toContain(SECRET);
    const logs = logLines.join('\n');
    expect(logs).toContain('dead-lettered'); // the capture works
    expect(logs).not.toContain(SECRET);
    expect(logs).not.toContain('query-secret-xyz');
    const { client, connection } = await temporalClient();
    try {
      const ids = (await Promise.all(['ok', 'flaky', 'dead'].map((s) => deliveries(s)))).flat().map((d) => d.id as number);
      for (const id of ids) {
        const history = decodedPayloads(await client.workflow.getHandle(`notify-delivery:${id}`).fetchHistory());
        expect(history).toContain('deliveryId'); // the decoding works: the input is there
        expect(history).not.toContain(SECRET);
        expect(history).not.toContain('query-secret-xyz');
        expect(history).not.toContain('127.0.0.1'); // no URL
        expect(history).not.toContain('Promotion to'); // no body
      }
      const dispatcher = decodedPayloads(await client.workflow.getHandle(dispatcherWorkflowId(f.taskQueue)).fetchHistory());
      expect(dispatcher).not.toContain(SECRET);
    } finally {
      await connection.close();
    }
    const flaky = (await deliveries('flaky'))[0];
    await recordHistory('notify-delivery-retried', `notify-delivery:${flaky.id}`);
    const dead = (await deliveries('dead'))[0];
    await recordHistory('notify-delivery-dead', `notify-delivery:${dead.id}`);
    await recordHistory('notify-delivery-redelivered', `notify-delivery:${dead.id}:r1`);
    await recordHistory('notify-dispatcher', dispatcherWorkflowId(f.taskQueue), { complete: false });
  });
});
