// Per-test-file fixtures on real services: a fresh database cloned from the migrated template, and
// helpers to run the real worker code path against the run's Temporal dev server.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import postgres from 'postgres';
import { bundleWorkflowCode, NativeConnection, Runtime, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import { createDatabase, type Database } from '../db/client.js';
import { createLogger } from '../lib/logger.js';
import { loadConfig, type Config } from '../lib/config.js';
import { workflowInterceptorModules, WORKFLOWS_PATH } from '../worker.js';
import { currentTracing } from '../lib/tracing.js';

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

/**
 * An environment name unique to this test run (a DNS label): the Temporal dev server, and so each environment's
 * `promote:<env>` workflow id, is shared by every test file.
 */
export function uniqueEnvName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

export function testDatabaseUrl(name: string): string {
  const url = new URL(inject('pgAdminUrl'));
  url.pathname = `/${name}`;
  return url.toString();
}

/** Creates an empty, migrated database for this test file (dropped after the file). */
export function useTestDatabase(): { readonly database: Database; readonly url: string; readonly name: string } {
  const name = `fc_t_${process.ppid}_${randomBytes(4).toString('hex')}`;
  let database: Database | undefined;
  const url = testDatabaseUrl(name);
  beforeAll(async () => {
    const admin = postgres(inject('pgAdminUrl'), { max: 1, onnotice: () => undefined });
    try {
      await admin.unsafe(`create database "${name}" template "${inject('pgTemplate')}"`);
    } finally {
      await admin.end();
    }
    database = createDatabase(url, { max: 5 });
  });
  afterAll(async () => {
    await database?.close();
    const admin = postgres(inject('pgAdminUrl'), { max: 1, onnotice: () => undefined });
    try {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
    } finally {
      await admin.end();
    }
  });
  return {
    get database() {
      if (!database) throw new Error('database is available inside tests and hooks only');
      return database;
    },
    url,
    name,
  };
}

/** A Config for tests: defaults plus the run's services plus overrides. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    // Monitor workflows only where a test asks for them (they observe every environment a test creates).
    MONITOR_START: 'off',
    // Likewise the notification dispatcher (test/notifications.test.ts starts its own).
    NOTIFY_DISPATCH: 'off',
    // Deliveries on the promotions' task queue: the fixtures run one worker per file (worker.ts runs a second one).
    NOTIFY_WORKER_ACTIVITIES: '0',
    ...overrides,
  });
}

export const silentLogger = createLogger({ level: 'silent' });

const bundles = new Map<boolean, Promise<WorkflowBundleWithSourceMap>>();
/**
 * The workflow bundle, built once per test file (bundling takes seconds); with the tracing interceptor when this
 * process traces (lib/tracing.ts setupTracing ran) or `traced` says so.
 */
export function workflowBundle(traced = currentTracing().enabled): Promise<WorkflowBundleWithSourceMap> {
  let bundle = bundles.get(traced);
  if (!bundle) {
    bundle = bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      workflowInterceptorModules: workflowInterceptorModules(traced),
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    });
    bundles.set(traced, bundle);
  }
  return bundle;
}

export async function temporalClient(): Promise<{ client: Client; connection: Connection }> {
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  return { connection, client: new Client({ connection }) };
}

let runtimeInstalled = false;
/** Keeps the SDK's own INFO chatter (worker state changes) out of test output; warnings still show. */
function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    /* already installed in this process */
  }
}

export async function nativeConnection(): Promise<NativeConnection> {
  installQuietRuntime();
  return NativeConnection.connect({ address: inject('temporalAddress') });
}

/**
 * Polls `probe` every 100 ms until it gives a value (anything but undefined, null or false) and returns it: the way
 * tests wait for observable state (never a fixed sleep window). Throws naming `what` after `timeoutMs`.
 */
export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    last = value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
