// Benchmark (not a test): notification fan-out. BENCH_NOTIFY_EVENTS (1000) events are written to the event log
// (environment pause/resume events through the same trigger function as every writer, each in its own transaction,
// as fast as one connection writes them), and BENCH_NOTIFY_SUBSCRIPTIONS (10) webhook subscriptions all match every
// one, so each event fans out to every subscription: 10 000 signed deliveries into a local node:http receiver, each
// its own delivery workflow started by the dispatcher (workflows/notify.ts) on a real worker (in this process,
// production defaults: WORKER_MAX_CONCURRENT_ACTIVITIES 100) and an own Temporal dev server.
// Reported: deliveries/s (first event written → last delivery received), event → first receipt latency (p50/p99; the
// event's `at` to the receiver's clock, same machine), every delivery received, and no idempotency key received twice
// (the dispatcher's unique delivery rows; a retry would repeat a key, none is expected with a healthy receiver).
//   bash scripts/with-node.sh tsx bench/notify.ts       # → bench/results/notify.json
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import postgres from 'postgres';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection } from '@temporalio/worker';
import { createWorker, installTemporalRuntime, WORKFLOWS_PATH, workerTuningOf } from '../worker.js';
import { createDatabase } from '../db/client.js';
import { runMigrations } from '../db/migrate.js';
import { insertSubscription } from '../db/notifications.js';
import { dispatchBatch } from '../db/notification-dispatch.js';
import { loadConfig } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import { startDevServer } from '../dev/temporal-dev-server.js';
import { dispatcherStartOptions } from '../workflows/notify-messages.js';
import { verifySignature } from '../domain/notification-signature.js';
import { machine, round1, sleep, stats, writeResult } from './stats.js';

const EVENTS = Number(process.env.BENCH_NOTIFY_EVENTS ?? 1000);
const SUBSCRIPTIONS = Number(process.env.BENCH_NOTIFY_SUBSCRIPTIONS ?? 10);
const TIMEOUT_MS = Number(process.env.BENCH_NOTIFY_TIMEOUT_MS ?? 600_000);
const SECRET = `bench-${randomBytes(16).toString('hex')}`;

async function main(): Promise<void> {
  const loadBefore = machine();
  const logger = createLogger({ level: 'warn', name: 'bench-notify' });
  installTemporalRuntime(logger);
  process.env.FC_SECRET_BENCH_NOTIFY = SECRET;
  const firstSeen = new Map<string, number>();
  let received = 0;
  let badSignatures = 0;
  const latencies: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const now = Date.now();
      const body = Buffer.concat(chunks).toString('utf8');
      received++;
      const header = String(req.headers['x-flow-signature'] ?? '');
      if (!verifySignature({ secret: SECRET, header, body, nowSeconds: Math.floor(now / 1000) })) badSignatures++;
      const key = String(req.headers['x-flow-event-id'] ?? '');
      if (!firstSeen.has(key)) {
        firstSeen.set(key, now);
        latencies.push(now - Date.parse((JSON.parse(body) as { at: string }).at));
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;

  const serverUrl = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const dbName = `fc_bench_${randomBytes(4).toString('hex')}`;
  const adminUrl = new URL(serverUrl);
  adminUrl.pathname = '/postgres';
  const dbUrl = new URL(serverUrl);
  dbUrl.pathname = `/${dbName}`;
  const admin = postgres(adminUrl.toString(), { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database "${dbName}"`);
  const temporal = await startDevServer({ headless: true });
  const database = createDatabase(dbUrl.toString(), { max: 10 });
  const taskQueue = `bench-notify-${randomBytes(3).toString('hex')}`;
  let connection: NativeConnection | undefined;
  let clientConnection: Connection | undefined;
  let running: { shutdown(): void; getState(): string; done: Promise<void> } | undefined;
  try {
    await runMigrations(dbUrl.toString());
    const actor = { name: 'bench' };
    for (let i = 0; i < SUBSCRIPTIONS; i++) {
      await insertSubscription(database.db, {
        name: `bench-${i}`,
        enabled: true,
        filters: { environments: null, eventTypes: ['environment.paused', 'environment.resumed'] },
        target: { kind: 'webhook', url, secretRef: 'env:FC_SECRET_BENCH_NOTIFY' },
        actor,
      });
    }
    // The cursor starts at the log's end before the events are written.
    await dispatchBatch(database.sql, { limit: 1 });

    const config = loadConfig({ LOG_LEVEL: 'warn' });
    connection = await NativeConnection.connect({ address: temporal.address });
    const { code } = await bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    });
    const worker = await createWorker({
      connection,
      namespace: 'default',
      taskQueue,
      deps: { database, logger },
      workflowBundle: { code },
      options: { ...workerTuningOf(config), shutdownGraceTime: '2 seconds', shutdownForceTime: '5 seconds' },
    });
    running = { shutdown: () => worker.shutdown(), getState: () => worker.getState(), done: worker.run() };
    clientConnection = await Connection.connect({ address: temporal.address });
    const client = new Client({ connection: clientConnection });
    await client.workflow.start('notificationDispatcher', dispatcherStartOptions(taskQueue, { pollMs: 200 }));

    const t0 = Date.now();
    for (let i = 0; i < EVENTS; i++) {
      const data = JSON.stringify({ paused: i % 2 === 0, reason: `bench ${i}` });
      await database.sql`select fc_emit_event('pause', null, null, null, ${data}::jsonb)`;
    }
    const writeMs = Date.now() - t0;
    const expected = EVENTS * SUBSCRIPTIONS;
    const deadline = Date.now() + TIMEOUT_MS;
    while (firstSeen.size < expected && Date.now() < deadline) await sleep(50);
    const lastAt = Math.max(...firstSeen.values());
    const elapsedS = (lastAt - t0) / 1000;
    const [rows] = await database.sql<Array<{ delivered: number; total: number; dupKeys: number }>>`
      select count(*) filter (where state = 'delivered')::int as delivered, count(*)::int as total,
        (count(*) - count(distinct idempotency_key))::int as "dupKeys" from notification_deliveries`;
    const summary = {
      benchmark: 'notify',
      at: new Date().toISOString(),
      machine: { before: loadBefore, after: machine() },
      events: EVENTS,
      subscriptions: SUBSCRIPTIONS,
      expectedDeliveries: expected,
      eventWriteMs: writeMs,
      receivedDistinct: firstSeen.size,
      receivedTotal: received,
      duplicatesReceived: received - firstSeen.size,
      badSignatures,
      deliveredRows: rows?.delivered,
      deliveryRows: rows?.total,
      duplicateKeysInLog: rows?.dupKeys,
      allDelivered: firstSeen.size === expected && rows?.delivered === expected,
      deliveriesPerSecond: round1(firstSeen.size / elapsedS),
      elapsedSeconds: round1(elapsedS),
      eventToDeliveryMs: stats(latencies),
      notes:
        'One worker in the bench process (production WORKER_* defaults), own Temporal dev server (SQLite in memory), shared 2-core machine; each delivery is one workflow (start, activity, completion).',
    };
    console.log(JSON.stringify(summary, null, 2));
    console.log(`wrote ${await writeResult('notify', summary)}`);
    await client.workflow
      .getHandle(dispatcherStartOptions(taskQueue, { pollMs: 200 }).workflowId)
      .terminate('bench done')
      .catch(() => undefined);
  } finally {
    if (running?.getState() === 'RUNNING') running.shutdown();
    await running?.done.catch(() => undefined);
    await clientConnection?.close();
    await connection?.close();
    await database.close();
    await temporal.stop();
    await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
    await admin.end();
    server.closeAllConnections();
    server.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
