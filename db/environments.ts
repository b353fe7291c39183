// Data access for environments. One object in, one object out; every function takes an optional transaction.
import { asc, eq, getTableColumns, sql } from 'drizzle-orm';
import type { Tx } from './client.js';
import { environments } from './promotion-schema.js';
import type { EnvironmentConfig } from '../domain/environment.js';

export type EnvironmentRow = typeof environments.$inferSelect;

export async function getEnvironment(tx: Tx, input: { name: string }): Promise<EnvironmentRow | undefined> {
  const [row] = await tx.select().from(environments).where(eq(environments.name, input.name));
  return row;
}

export async function listEnvironments(tx: Tx): Promise<EnvironmentRow[]> {
  return tx.select().from(environments).orderBy(asc(environments.displayOrder), asc(environments.name));
}

/** Creates or updates an environment's configuration; never touches its current release. */
export async function upsertEnvironment(
  tx: Tx,
  input: { name: string; config: EnvironmentConfig },
): Promise<{ row: EnvironmentRow; created: boolean }> {
  const c = input.config;
  const values = {
    displayOrder: c.displayOrder,
    upstream: c.upstream,
    protected: c.protected,
    approvalsRequired: c.approvalsRequired,
    approvers: c.approvers,
    approvalTimeoutSeconds: c.approvalTimeoutSeconds,
    approvalWaitSeconds: c.approvalWaitSeconds,
    gitops: c.gitops,
    argocd: c.argocd,
    kubernetes: c.kubernetes,
    clusterName: c.clusterName ?? null,
    clusters: c.clusters ?? [],
    convergenceDeadlineSeconds: c.convergenceDeadlineSeconds,
    degradedGraceSeconds: c.degradedGraceSeconds,
    upstreamRequires: c.upstreamRequires ?? 'succeeded',
    queuePolicy: c.queuePolicy ?? 'fifo',
    verification: c.verification ?? null,
    monitoring: c.monitoring ?? null,
    autoPromote: c.autoPromote ?? null,
  };
  const [row] = await tx
    .insert(environments)
    .values({ name: input.name, ...values })
    .onConflictDoUpdate({ target: environments.name, set: { ...values, updatedAt: sql`now()` } })
    .returning({ ...getTableColumns(environments), created: sql<boolean>`(xmax = 0)` });
  if (!row) throw new Error('upsert returned no row');
  const { created, ...env } = row;
  return { row: env, created };
}

/** The configuration part of a row, as the API and seed files describe it (references only, no secrets). */
export function environmentConfigOf(row: EnvironmentRow): EnvironmentConfig {
  return {
    displayOrder: row.displayOrder,
    upstream: row.upstream,
    protected: row.protected,
    approvalsRequired: row.approvalsRequired,
    approvers: row.approvers,
    approvalTimeoutSeconds: row.approvalTimeoutSeconds,
    approvalWaitSeconds: row.approvalWaitSeconds,
    gitops: row.gitops,
    argocd: row.argocd,
    kubernetes: row.kubernetes,
    // Absent, not empty, for a single-cluster environment: its configuration reads as it always did.
    ...(row.clusterName !== null ? { clusterName: row.clusterName } : {}),
    ...(row.clusters.length > 0 ? { clusters: row.clusters } : {}),
    convergenceDeadlineSeconds: row.convergenceDeadlineSeconds,
    degradedGraceSeconds: row.degradedGraceSeconds,
    // Absent when not set: configurations stored before these settings existed read as they always did.
    ...(row.upstreamRequires !== 'succeeded' ? { upstreamRequires: row.upstreamRequires } : {}),
    ...(row.queuePolicy !== 'fifo' ? { queuePolicy: row.queuePolicy } : {}),
    ...(row.verification !== null ? { verification: row.verification } : {}),
    ...(row.monitoring !== null ? { monitoring: row.monitoring } : {}),
    ...(row.autoPromote !== null ? { autoPromote: row.autoPromote } : {}),
  };
}
