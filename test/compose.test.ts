// docker-compose.yml cannot run here (no Docker engine), so its structure is checked instead: services,
// pinned images, ports, healthchecks, depends_on conditions, and app environment against the config schema.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigSchema, loadConfig } from '../lib/config.js';

const root = fileURLToPath(new URL('..', import.meta.url));
interface Service {
  image?: string;
  build?: unknown;
  ports?: string[];
  networks?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: unknown };
  depends_on?: Record<string, { condition: string }>;
}
const compose = parse(readFileSync(`${root}/docker-compose.yml`, 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  networks?: Record<string, { internal?: boolean } | null>;
};
const services = compose.services;

describe('docker-compose.yml', () => {
  it('has the expected services', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['postgres', 'temporal', 'temporal-ui', 'api', 'worker']));
  });

  it('pins every image to a version (no latest, no Alpine for the app)', () => {
    for (const [name, svc] of Object.entries(services)) {
      if (svc.image) expect(svc.image, name).toMatch(/^[a-z0-9./-]+:[0-9][\w.-]*$/);
      else expect(svc.build, name).toBeDefined();
    }
    const dockerfile = readFileSync(`${root}/Dockerfile`, 'utf8');
    expect(dockerfile).toMatch(/^FROM node:24-(bookworm|trixie)/m);
    expect(dockerfile).not.toMatch(/^FROM .*alpine/im);
  });

  it('publishes only the API; Postgres, Temporal and its UI stay on the internal network', () => {
    expect(services.api?.ports).toEqual(['3000:3000']);
    for (const [name, svc] of Object.entries(services)) if (name !== 'api') expect(svc.ports, name).toBeUndefined();
    expect(compose.networks?.backend?.internal).toBe(true);
    for (const name of ['postgres', 'temporal', 'temporal-ui', 'temporal-search-attributes', 'migrate']) {
      expect(services[name]?.networks, name).toEqual(['backend']);
    }
  });

  it('connects the app as the least-privilege role, migrates as the owner, and ships no default password', () => {
    for (const name of ['api', 'worker']) {
      expect(services[name]?.environment?.DATABASE_URL, name).toMatch(/^postgres:\/\/flow_controller_app:\$\{FC_APP_DB_PASSWORD:\?/);
    }
    const migrate = services.migrate?.environment ?? {};
    expect(migrate.MIGRATION_DATABASE_URL).toMatch(/^postgres:\/\/postgres:\$\{POSTGRES_PASSWORD:\?/);
    expect(migrate.FC_APP_DB_PASSWORD).toMatch(/^\$\{FC_APP_DB_PASSWORD:\?/);
    expect(readFileSync(`${root}/docker-compose.yml`, 'utf8')).not.toMatch(/postgres:postgres@|PASSWORD: postgres\b|PWD: postgres\b/);
  });

  it('has healthchecks and depends_on conditions that name real services', () => {
    for (const name of ['postgres', 'temporal', 'api']) expect(services[name]?.healthcheck?.test, name).toBeDefined();
    for (const [name, svc] of Object.entries(services)) {
      for (const [dep, cond] of Object.entries(svc.depends_on ?? {})) {
        expect(services[dep], `${name} depends on ${dep}`).toBeDefined();
        expect(['service_started', 'service_healthy', 'service_completed_successfully']).toContain(cond.condition);
        if (cond.condition === 'service_healthy') expect(services[dep]?.healthcheck, `${dep} healthcheck`).toBeDefined();
      }
    }
  });

  it('gives the app services an environment the config schema accepts, with no unknown keys', () => {
    const known = new Set(Object.keys(ConfigSchema.shape));
    for (const name of ['api', 'worker']) {
      const env = services[name]?.environment ?? {};
      for (const key of Object.keys(env)) expect(known.has(key), `${name}: ${key}`).toBe(true);
      // What compose does with `${VAR:?message}`: the value from .env (a sample here).
      const interpolated = Object.fromEntries(
        Object.entries(env).map(([k, v]) => [
          k,
          String(v).replace(/\$\{(\w+)(:\?[^}]*)?\}/g, (_m, n: string) => `sample-${n.toLowerCase()}`),
        ]),
      );
      const config = loadConfig(interpolated);
      expect(config.DATABASE_URL).toMatch(/^postgres:\/\/.*@postgres:5432\//);
      expect(config.TEMPORAL_ADDRESS).toBe('temporal:7233');
    }
  });
});
