// Vitest global setup: once per `npm test` run.
// - Temporal: reuse TEMPORAL_ADDRESS if set, else start one real dev server (headless, in-memory).
// - Postgres: create a template database and migrate it; each test file clones it (test/harness.ts).
import type { TestProject } from 'vitest/node';
import postgres from 'postgres';
import { runMigrations } from '../db/migrate.js';
import { startDevServer, type DevServer } from '../dev/temporal-dev-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    pgAdminUrl: string;
    pgTemplate: string;
  }
}

export function adminUrl(): string {
  return process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export function databaseUrl(name: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const template = `fc_tpl_${process.pid}_${Date.now().toString(36)}`;
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database "${template}"`);
  await runMigrations(databaseUrl(template));

  let server: DevServer | undefined;
  let address = process.env.TEMPORAL_ADDRESS;
  if (!address) {
    server = await startDevServer({ headless: true, logLevel: 'error' });
    address = server.address;
  }

  project.provide('temporalAddress', address);
  project.provide('pgAdminUrl', adminUrl());
  project.provide('pgTemplate', template);

  return async () => {
    await server?.stop();
    // Drop the template and any per-file database a crashed test file left behind.
    const leftovers = await admin<{ datname: string }[]>`
      select datname from pg_database where datname = ${template} or datname like ${`fc_t_${process.pid}_%`}`;
    for (const { datname } of leftovers) await admin.unsafe(`drop database if exists "${datname}" with (force)`);
    await admin.end({ timeout: 5 });
  };
}
