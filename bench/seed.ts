// Helper of the read benchmarks (not a benchmark): a throwaway migrated database, seeded fast with SQL
// generate_series (no API calls): a template, a token, environments, releases with a realistic descriptor,
// deployments spread over the environments and releases, and audit events. Used by bench/api-reads.ts and
// bench/list-scale.ts.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { runMigrations } from '../db/migrate.js';
import { hashToken } from '../api/auth.js';

export interface ThrowawayDb {
  url: string;
  sql: postgres.Sql;
  drop(): Promise<void>;
}

export async function createThrowawayDb(prefix: string): Promise<ThrowawayDb> {
  const server = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const adminUrl = new URL(server);
  adminUrl.pathname = '/postgres';
  const url = new URL(server);
  url.pathname = `/${name}`;
  const admin = postgres(adminUrl.toString(), { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database "${name}"`);
  await runMigrations(url.toString());
  const sql = postgres(url.toString(), { max: 4, onnotice: () => undefined });
  return {
    url: url.toString(),
    sql,
    drop: async () => {
      await sql.end({ timeout: 5 });
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}

export interface SeedCounts {
  environments: number;
  releases: number;
  deployments: number;
  audit: number;
  /** Services per descriptor (≈ 150 bytes of JSON each). */
  services: number;
}

export interface Seeded {
  /** A viewer token (plain) stored hashed. */
  token: string;
  environments: string[];
  /** Ids of the newest releases (at most 1,000). */
  releaseIds: string[];
}

/** A descriptor of `services` services in groups of 10, as SQL building it (the same for every release). */
function descriptorSql(services: number): string {
  return `(select jsonb_object_agg(g, grp) from (
      select 'group-' || (s / 10) as g, jsonb_object_agg('svc-' || s, jsonb_build_object('Deployment', jsonb_build_object('containers',
        jsonb_build_object('svc-' || s, jsonb_build_object('repo', 'registry.example.com/org/svc-' || s, 'tag', '7.1.' || s))))) as grp
      from generate_series(0, ${services - 1}) s group by s / 10) groups)`;
}

export async function seed(sql: postgres.Sql, counts: SeedCounts): Promise<Seeded> {
  const token = `fct_bench_${randomBytes(24).toString('base64url')}`;
  // The trigger that keeps releases immutable does not matter to inserts; the bench writes in bulk as the owner.
  await sql.unsafe(`
    insert into api_tokens (id, name, principal, role, scopes, token_hash, created_by)
      values ('00000000-0000-4000-8000-000000000001', 'bench-viewer', 'bench-viewer', 'viewer', '{}', '${hashToken(token)}', 'bench');
    insert into templates (key, revision, document, digest, created_by)
      values ('7.0.0', 1, ${descriptorSql(counts.services)}, 'bench', 'bench');
    insert into environments (name, display_order, gitops, argocd, kubernetes)
      select 'env-' || i, i, '{"repoUrl":"https://git.example.com/org/gitops.git","branch":"main","valuesFile":"values.yaml"}',
             '{"url":"https://argocd.example.com","tokenRef":"env:FC_SECRET_ARGO","project":"default","applications":["app"]}',
             '{"apiUrl":"https://k8s.example.com","tokenRef":"env:FC_SECRET_KUBE","namespace":"default"}'
      from generate_series(1, ${counts.environments}) i;
    insert into releases (id, product_version, template_key, template_revision, descriptor, digest, created_by,
                          created_by_token_id, created_at, request_digest)
      select gen_random_uuid(), '7.1.' || i, '7.0.0', 1, (select document from templates where key = '7.0.0'),
             md5(i::text), case when i % 3 = 0 then 'ci' else 'bench-viewer' end, '00000000-0000-4000-8000-000000000001',
             now() - make_interval(secs => ${counts.releases} - i), md5(i::text)
      from generate_series(1, ${counts.releases}) i;
  `);
  // Deployments: round-robin over environments, each of a release near its position; terminal statuses only
  // (the partial unique index allows one active promotion per environment), many sharing one timestamp.
  await sql.unsafe(`
    create temporary table bench_release_ids as select row_number() over (order by seq) as n, id from releases;
    create index on bench_release_ids (n);
    insert into deployments (environment, release_id, status, started_by, workflow_id, created_at, finished_at, updated_at)
      select 'env-' || (1 + i % ${counts.environments}),
             (select id from bench_release_ids where n = 1 + (i * ${counts.releases}::bigint / ${Math.max(1, counts.deployments)})),
             (array['succeeded','succeeded','succeeded','failed','aborted'])[1 + (i / 10) % 5], 'bench', 'promote-' || i,
             now() - make_interval(secs => (${counts.deployments} - i) / 10), now(), now()
      from generate_series(0, ${counts.deployments - 1}) i;
    insert into audit_events (at, actor, actor_token_id, action, subject_type, subject_id, details)
      select now() - make_interval(secs => (${counts.audit} - i) / 10), case when i % 4 = 0 then 'ci' else 'bench-viewer' end,
             '00000000-0000-4000-8000-000000000001', (array['deployment.requested','deployment.succeeded','release.create'])[1 + i % 3],
             case when i % 3 = 2 then 'release' else 'deployment' end, (i / 3)::text, '{}'
      from generate_series(0, ${counts.audit - 1}) i;
    update environments e set current_deployment_id = d.id, current_release_id = d.release_id
      from (select distinct on (environment) environment, id, release_id from deployments where status = 'succeeded'
            order by environment, id desc) d where d.environment = e.name;
    analyze;
  `);
  const environments = (await sql<{ name: string }[]>`select name from environments order by display_order`).map((r) => r.name);
  const releaseIds = (await sql<{ id: string }[]>`select id from releases order by seq desc limit 1000`).map((r) => r.id);
  return { token, environments, releaseIds };
}
