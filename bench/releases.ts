// Benchmarks for templates and releases (not tests): run with
//   bash scripts/with-node.sh tsx bench/releases.ts
// Creates a throwaway database fc_bench_<random> on DATABASE_URL's server (default 127.0.0.1:5432), migrates
// it, serves the real API over HTTP on loopback, and measures:
//   1. POST /v2/releases/create with a 500-service descriptor: p50/p99 end to end (HTTP client → DB commit)
//   2. template resolution among 1,000 stored template keys: p50 over HTTP and for the DB query alone
//   3. GET /v2/releases/:id at ~500 req/s with autocannon: p50/p99 latency and errors
// Prints one JSON summary (also written to bench/results/releases.json), then drops the database.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import postgres from 'postgres';
import { serve } from '@hono/node-server';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../api/app.js';
import { apiRouters } from '../api/routes/index.js';
import { createDatabase } from '../db/client.js';
import { runMigrations } from '../db/migrate.js';
import { resolveTemplate, saveTemplateRevision } from '../db/templates.js';
import { digestOf } from '../domain/digest.js';
import { resolutionChain } from '../domain/semver.js';
import type { Template } from '../domain/descriptor.js';
import { loadConfig } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import { writeResult } from './stats.js';

interface AutocannonResult {
  latency: { p50: number; p99: number; average: number; max: number };
  requests: { average: number; total: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const ADMIN = `fct_bench_${randomBytes(24).toString('base64url')}`;

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round((sorted[i] ?? 0) * 100) / 100;
}

function bigTemplate(services: number): { template: Template; descriptor: Template } {
  const template: Template = {};
  const descriptor: Template = {};
  for (let i = 0; i < services; i++) {
    const group = `group-${Math.floor(i / 50)}`;
    const name = `svc-${i}`;
    const pinned = i % 5 === 0;
    const container = { repo: `registry.example.com/org/${name}`, tag: pinned ? '1.0.0' : '<RELEASE_TAG>' };
    (template[group] ??= {})[name] = { Deployment: { containers: { [name]: container, proxy: { repo: 'org/envoy', tag: 'v1.30' } } } };
    (descriptor[group] ??= {})[name] = {
      Deployment: { containers: { [name]: { ...container, tag: pinned ? '1.0.0' : '7.1.3' }, proxy: { repo: 'org/envoy', tag: 'v1.30' } } },
    };
  }
  return { template, descriptor };
}

async function main(): Promise<void> {
  const server = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const name = `fc_bench_${randomBytes(4).toString('hex')}`;
  const adminUrl = new URL(server);
  adminUrl.pathname = '/postgres';
  const url = new URL(server);
  url.pathname = `/${name}`;
  const admin = postgres(adminUrl.toString(), { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database "${name}"`);
  const database = createDatabase(url.toString(), { max: 10 });
  const connection = Connection.lazy({ address: '127.0.0.1:7233' });
  let http: ReturnType<typeof serve> | undefined;
  try {
    await runMigrations(url.toString());
    const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent', FLOW_ADMIN_TOKEN: ADMIN, DATABASE_URL: url.toString() });
    const app = createApp(
      { config, database, temporal: { connection, client: new Client({ connection }) }, logger: createLogger({ level: 'silent' }) },
      apiRouters(),
    );
    const listening = new Promise<AddressInfo>((resolve) => {
      http = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => resolve(info));
    });
    const { port } = await listening;
    const base = `http://127.0.0.1:${port}`;
    const auth = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
    const request = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, { method, headers: auth, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status}: ${text.slice(0, 300)}`);
      return JSON.parse(text) as Record<string, unknown>;
    };

    // 1. Create with a 500-service descriptor.
    const { template, descriptor } = bigTemplate(500);
    await request('PUT', '/v1/templates/7.1.0', template);
    const descriptorBytes = JSON.stringify(descriptor).length;
    for (let i = 0; i < 5; i++) await request('POST', '/v2/releases/create/7.1.3', descriptor); // warm-up
    const createMs: number[] = [];
    let bigReleaseId = '';
    for (let i = 0; i < 200; i++) {
      const started = performance.now();
      const created = await request('POST', '/v2/releases/create/7.1.3', descriptor);
      createMs.push(performance.now() - started);
      bigReleaseId = String(created.releaseId);
    }

    // 2. Resolution among 1,000 template keys (10 majors × 10 minors × 10 patches).
    const small = { core: { api: { Deployment: { containers: { api: { repo: 'org/api', tag: '<RELEASE_TAG>' } } } } } };
    await database.db.transaction(async (tx) => {
      for (let major = 10; major < 20; major++)
        for (let minor = 0; minor < 10; minor++)
          for (let patch = 0; patch < 10; patch++) {
            const doc = {
              core: { api: { Deployment: { containers: { api: { repo: 'org/api', tag: `<RELEASE_TAG>-${major}${minor}${patch}` } } } } },
            };
            await saveTemplateRevision(tx, {
              key: `${major}.${minor}.${patch}`,
              document: doc,
              digest: digestOf(doc),
              createdBy: 'bench',
              createdByTokenId: null,
            });
          }
      await saveTemplateRevision(tx, {
        key: 'default',
        document: small,
        digest: digestOf(small),
        createdBy: 'bench',
        createdByTokenId: null,
      });
    });
    const versions = Array.from({ length: 500 }, (_, i) => {
      const major = 10 + (i % 10);
      const minor = i % 10;
      const kind = i % 3; // exact, .0 fallback (patch 10+ does not exist), default fallback (major 30)
      return kind === 0 ? `${major}.${minor}.${i % 10}` : kind === 1 ? `${major}.${minor}.${10 + (i % 50)}` : `30.${minor}.${i % 7}`;
    });
    const resolveHttpMs: number[] = [];
    const resolveDbMs: number[] = [];
    for (const v of versions.slice(0, 20)) await fetch(`${base}/v1/releases/template/${v}`, { headers: auth }).then((r) => r.text());
    for (const v of versions) {
      let started = performance.now();
      const res = await fetch(`${base}/v1/releases/template/${v}`, { headers: auth });
      await res.text();
      if (res.status !== 200) throw new Error(`resolve ${v} → ${res.status}`);
      resolveHttpMs.push(performance.now() - started);
      started = performance.now();
      await resolveTemplate(database.db, { chain: resolutionChain(v) ?? [] });
      resolveDbMs.push(performance.now() - started);
    }

    // 3. GET /v2/releases/:id at ~500 req/s: a small release (seed-sized) and the 500-service one.
    await request('PUT', '/v1/templates/1.0.0', small);
    const smallRelease = await request('POST', '/v2/releases/create/1.0.0', {
      core: { api: { Deployment: { containers: { api: { repo: 'org/api', tag: '1.0.0' } } } } },
    });
    const load = async (id: string) => {
      const r = await autocannon({
        url: `${base}/v2/releases/${id}`,
        headers: { authorization: `Bearer ${ADMIN}` },
        connections: 10,
        overallRate: 500,
        duration: 10,
      });
      return {
        p50Ms: r.latency.p50,
        p99Ms: r.latency.p99,
        maxMs: r.latency.max,
        avgReqPerSec: r.requests.average,
        total: r.requests.total,
        errors: r.errors,
        timeouts: r.timeouts,
        non2xx: r.non2xx,
      };
    };
    const getSmall = await load(String(smallRelease.releaseId));
    const getBig = await load(bigReleaseId);

    const summary = {
      node: process.version,
      cpus: (await import('node:os')).cpus().length,
      createRelease500Services: {
        requests: createMs.length,
        descriptorBytes,
        p50Ms: percentile(createMs, 50),
        p99Ms: percentile(createMs, 99),
      },
      resolveAmong1000Templates: {
        requests: versions.length,
        httpP50Ms: percentile(resolveHttpMs, 50),
        httpP99Ms: percentile(resolveHttpMs, 99),
        dbQueryP50Ms: percentile(resolveDbMs, 50),
      },
      getReleaseAt500rps: { smallRelease: getSmall, release500Services: getBig },
    };
    console.log(JSON.stringify(summary, null, 2));
    console.log(`written to ${await writeResult('releases', summary)}`);
  } finally {
    const h = http;
    if (h) await new Promise<void>((resolve) => h.close(() => resolve()));
    await connection.close().catch(() => undefined);
    await database.close();
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
