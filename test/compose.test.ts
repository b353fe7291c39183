// docker-compose.yml and the Dockerfile cannot run here (no Docker engine), so their structure is checked instead:
// services, pinned images, ports, healthchecks, depends_on conditions, app environment against the config schema,
// commands on the compiled build; the Dockerfile's stages, non-root user, production dependencies and no tsx.
// (test/build.test.ts runs the compiled entry points themselves.)
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigSchema, loadConfig } from '../lib/config.js';
import { WORKER_MALLOC_ENV, WORKER_NODE_FLAGS } from '../lib/worker-flags.js';

const root = fileURLToPath(new URL('..', import.meta.url));
interface Service {
  image?: string;
  command?: string[];
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

  it('runs the compiled entry points with node (no tsx), each one a build entry of tsconfig.build.json', () => {
    const entries = (JSON.parse(readFileSync(`${root}/tsconfig.build.json`, 'utf8')) as { files: string[] }).files;
    const expected = { api: 'build/api/server.js', worker: 'build/worker.js', migrate: 'build/dev/migrate-cli.js' };
    for (const [name, file] of Object.entries(expected)) {
      // The worker with the V8 flags of its memory budget (lib/worker-flags.ts).
      expect(services[name]?.command, name).toEqual(['node', ...(name === 'worker' ? WORKER_NODE_FLAGS : []), file]);
      expect(entries, name).toContain(file.replace(/^build\//, '').replace(/\.js$/, '.ts'));
    }
  });
});

/** The Dockerfile's stages: FROM line, name, and the instructions under it (continuation lines joined). */
function dockerStages(text: string): Array<{ from: string; name?: string; instructions: Array<{ op: string; args: string }> }> {
  const stages: ReturnType<typeof dockerStages> = [];
  const joined = text.replace(/\\\n\s*/g, ' ');
  for (const raw of joined.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const space = line.indexOf(' ');
    const op = line.slice(0, space).toUpperCase();
    const args = line.slice(space + 1).trim();
    if (op === 'FROM') {
      const [from = '', as, name] = args.split(/\s+/);
      stages.push({ from, ...(as?.toUpperCase() === 'AS' && name ? { name } : {}), instructions: [] });
    } else stages.at(-1)?.instructions.push({ op, args });
  }
  return stages;
}

describe('Dockerfile', () => {
  const stages = dockerStages(readFileSync(`${root}/Dockerfile`, 'utf8'));
  const runtime = stages.at(-1);
  const ops = (op: string) => (runtime?.instructions ?? []).filter((i) => i.op === op).map((i) => i.args);

  it('builds in a builder stage and runs from a slim Node 24 stage', () => {
    expect(stages.map((s) => s.name)).toEqual(['builder', 'runtime']);
    expect(runtime?.from).toBe('node:24-bookworm-slim');
    const builderRuns = stages[0]?.instructions.filter((i) => i.op === 'RUN').map((i) => i.args) ?? [];
    expect(builderRuns.some((r) => /^npm ci\b/.test(r) && !r.includes('--omit=dev'))).toBe(true);
    expect(builderRuns.some((r) => r.includes('scripts/build.ts'))).toBe(true);
  });

  it('installs production dependencies only, copies build/ only, and adds git and CA certificates only', () => {
    const runs = ops('RUN');
    expect(runs.some((r) => /npm ci --omit=dev\b/.test(r))).toBe(true);
    const copies = ops('COPY');
    expect(copies).toContain('--from=builder /app/build ./build');
    for (const c of copies) expect(c === '--from=builder /app/build ./build' || c === 'package.json package-lock.json ./', c).toBe(true);
    const apt = runs.find((r) => r.includes('apt-get install')) ?? '';
    expect(apt).toContain('--no-install-recommends');
    expect(
      apt
        .replace(/.*apt-get install -y --no-install-recommends ([^&]+).*/, '$1')
        .trim()
        .split(/\s+/),
    ).toEqual(['git', 'ca-certificates']);
    expect(apt).toContain('rm -rf /var/lib/apt/lists/*');
  });

  it('runs as a non-root numeric user, the API by default, never through tsx', () => {
    const user = ops('USER').at(-1) ?? '';
    expect(user).toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(JSON.parse(ops('CMD').at(-1) ?? 'null')).toEqual(['node', 'build/api/server.js']);
    expect(ops('ENTRYPOINT')).toEqual([]);
    for (const i of runtime?.instructions ?? []) expect(`${i.op} ${i.args}`).not.toMatch(/tsx/);
    expect(ops('ENV')).toContain('NODE_ENV=production');
    for (const [k, v] of Object.entries(WORKER_MALLOC_ENV)) expect(ops('ENV')).toContain(`${k}=${v}`);
    // npm run worker starts it the same way.
    const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.worker).toBe(
      `${Object.entries(WORKER_MALLOC_ENV)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')} bash scripts/with-node.sh node ${WORKER_NODE_FLAGS.join(' ')} --import tsx worker.ts`,
    );
  });

  it('keeps local build output, data and secrets out of the build context', () => {
    const ignored = readFileSync(`${root}/.dockerignore`, 'utf8').split('\n');
    for (const entry of ['node_modules', '.git', '.data', '.tools', 'build', '.env']) expect(ignored, entry).toContain(entry);
  });
});
