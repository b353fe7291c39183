// A deployment history with controlled timestamps, written straight into the database (no promotions), for the
// DORA tests: db/dora.test.ts, api/routes/dora.test.ts and ui/ui.test.ts. Releases, promotions (any status,
// rollbacks), incidents and verification revocations, each at the time the test says.
import { randomUUID } from 'node:crypto';
import type { Sql } from '../db/client.js';

export interface DoraSeeder {
  environment: string;
  release(createdAt: Date): Promise<string>;
  promotion(input: {
    releaseId: string;
    status: 'succeeded' | 'failed' | 'aborted';
    finishedAt: Date;
    createdAt?: Date;
    isRollback?: boolean;
    /** Whether it pushed a commit (default: yes). */
    pushed?: boolean;
  }): Promise<number>;
  incident(input: { deploymentId: number | null; firstSeenAt: Date; resolvedAt?: Date | null }): Promise<number>;
  revocation(input: { deploymentId: number; releaseId: string; revokedAt: Date }): Promise<void>;
}

/** Creates the environment (and a token and template for its releases) and returns writers of its history. */
export async function doraSeeder(sql: Sql, environment: string): Promise<DoraSeeder> {
  const tokenId = randomUUID();
  const templateKey = `dora-${environment}`;
  await sql`insert into api_tokens (id, name, principal, role, token_hash, created_by)
            values (${tokenId}, ${`seed-${environment}`}, 'seed', 'releaser', ${randomUUID()}, 'test')`;
  await sql`insert into templates (key, revision, document, digest, created_by) values (${templateKey}, 1, '{}'::jsonb, 'seed', 'seed')`;
  await sql`insert into environments (name, display_order, gitops, argocd, kubernetes)
            values (${environment}, 99, '{}'::jsonb, '{}'::jsonb, '{}'::jsonb)`;
  let version = 0;
  let incidentApp = 0;
  return {
    environment,
    async release(createdAt) {
      const id = randomUUID();
      version += 1;
      await sql`insert into releases (id, product_version, template_key, template_revision, descriptor, digest, created_by,
                                      created_by_token_id, created_at, request_digest)
                values (${id}, ${`1.0.${version}`}, ${templateKey}, 1, '{}'::jsonb, 'sha256:seed', 'seed', ${tokenId},
                        ${createdAt.toISOString()}, 'sha256:seed')`;
      return id;
    },
    async promotion(p) {
      const createdAt = p.createdAt ?? new Date(p.finishedAt.getTime() - 60_000);
      const [row] = await sql<{ id: number }[]>`
        insert into deployments (environment, release_id, is_rollback, status, started_by, workflow_id, commit_sha,
                                 created_at, started_at, finished_at, updated_at)
        values (${environment}, ${p.releaseId}, ${p.isRollback ?? false}, ${p.status}, 'seed', ${`promote:${environment}`},
                ${p.pushed === false ? null : 'a'.repeat(40)}, ${createdAt.toISOString()}, ${createdAt.toISOString()}, ${p.finishedAt.toISOString()}, ${p.finishedAt.toISOString()})
        returning id`;
      if (!row) throw new Error('no deployment row');
      return Number(row.id);
    },
    async incident(i) {
      incidentApp += 1;
      const [row] = await sql<{ id: number }[]>`
        insert into incidents (environment, application, kind, deployment_id, summary, first_seen_at, last_seen_at, resolved_at)
        values (${environment}, ${`app-${incidentApp}`}, 'degraded', ${i.deploymentId}, 'seeded', ${i.firstSeenAt.toISOString()}, ${i.firstSeenAt.toISOString()},
                ${i.resolvedAt?.toISOString() ?? null})
        returning id`;
      if (!row) throw new Error('no incident row');
      return Number(row.id);
    },
    async revocation(r) {
      await sql`insert into release_verifications (deployment_id, environment, release_id, state, revoked_at, reason)
                values (${r.deploymentId}, ${environment}, ${r.releaseId}, 'revoked', ${r.revokedAt.toISOString()}, 'seeded')`;
    },
  };
}
