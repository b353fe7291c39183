// Data access for incidents (table incidents): opened by the monitor (or a failed verification gate), touched
// while they last, resolved when the live state matches again. At most one open incident per environment,
// application and kind (a partial unique index), and at most one automatic action per incident.
import { and, desc, eq, inArray, isNull, lt, sql, type SQL } from 'drizzle-orm';
import type { Tx } from './client.js';
import { recordAudit, type AuditActor } from './audit.js';
import { incidents } from './verification-schema.js';
import { MONITOR_INITIATOR, type IncidentAction, type IncidentKind } from '../domain/verification.js';

export type IncidentRow = typeof incidents.$inferSelect;

const MONITOR: AuditActor = { name: MONITOR_INITIATOR, tokenId: null };

export interface ObservedIncident {
  environment: string;
  application: string;
  kind: IncidentKind;
  releaseId: string | null;
  deploymentId: number | null;
  summary: string;
  evidence: Record<string, unknown>;
}

/** Opens an incident, or touches the open one of the same environment, application and kind. */
export async function openOrTouchIncident(tx: Tx, input: ObservedIncident): Promise<{ incident: IncidentRow; opened: boolean }> {
  const now = new Date();
  const [row] = await tx
    .insert(incidents)
    .values({ ...input, firstSeenAt: now, lastSeenAt: now })
    .onConflictDoUpdate({
      target: [incidents.environment, incidents.application, incidents.kind],
      targetWhere: isNull(incidents.resolvedAt),
      set: { lastSeenAt: now, summary: input.summary, evidence: input.evidence },
    })
    .returning({ id: incidents.id, opened: sql<boolean>`(xmax = 0)` });
  if (!row) throw new Error('incident upsert returned no row');
  if (row.opened) {
    await recordAudit(tx, {
      actor: MONITOR,
      action: 'incident.opened',
      subjectType: 'incident',
      subjectId: String(row.id),
      details: { environment: input.environment, application: input.application, kind: input.kind, summary: input.summary.slice(0, 500) },
    });
  }
  const [incident] = await tx.select().from(incidents).where(eq(incidents.id, row.id));
  if (!incident) throw new Error(`incident ${row.id} vanished`);
  return { incident, opened: row.opened };
}

/**
 * Resolves the environment's open incidents that are not observed any more (`stillOpen` lists the
 * application/kind pairs observed now); returns the resolved rows.
 */
export async function resolveIncidents(
  tx: Tx,
  input: { environment: string; stillOpen: Array<{ application: string; kind: IncidentKind }>; onlyKinds?: readonly IncidentKind[] },
): Promise<IncidentRow[]> {
  const open = await tx
    .select()
    .from(incidents)
    .where(and(eq(incidents.environment, input.environment), isNull(incidents.resolvedAt)));
  const keep = new Set(input.stillOpen.map((o) => `${o.application}\0${o.kind}`));
  const resolved: IncidentRow[] = [];
  for (const inc of open) {
    if (keep.has(`${inc.application}\0${inc.kind}`)) continue;
    if (input.onlyKinds && !input.onlyKinds.includes(inc.kind)) continue;
    const [row] = await tx
      .update(incidents)
      .set({ resolvedAt: new Date() })
      .where(and(eq(incidents.id, inc.id), isNull(incidents.resolvedAt)))
      .returning();
    if (!row) continue;
    resolved.push(row);
    await recordAudit(tx, {
      actor: MONITOR,
      action: 'incident.resolved',
      subjectType: 'incident',
      subjectId: String(row.id),
      details: { environment: row.environment, application: row.application, kind: row.kind },
    });
  }
  return resolved;
}

/** Resolves the open incidents of these kinds that were opened about another deployment than `deploymentId`. */
export async function resolveIncidentsOfOtherDeployments(
  tx: Tx,
  input: { environment: string; deploymentId: number | null; kinds: readonly IncidentKind[] },
): Promise<IncidentRow[]> {
  const rows = await tx
    .update(incidents)
    .set({ resolvedAt: new Date() })
    .where(
      and(
        eq(incidents.environment, input.environment),
        isNull(incidents.resolvedAt),
        inArray(incidents.kind, [...input.kinds]),
        sql`${incidents.deploymentId} is distinct from ${input.deploymentId}`,
      ),
    )
    .returning();
  for (const row of rows) {
    await recordAudit(tx, {
      actor: MONITOR,
      action: 'incident.resolved',
      subjectType: 'incident',
      subjectId: String(row.id),
      details: { environment: row.environment, application: row.application, kind: row.kind, why: 'the current deployment changed' },
    });
  }
  return rows;
}

/** Records the one automatic action of an incident; false when one was already recorded (never two). */
export async function recordIncidentAction(
  tx: Tx,
  input: { id: number; action: IncidentAction; deploymentId?: number | null; message: string },
): Promise<boolean> {
  const [row] = await tx
    .update(incidents)
    .set({ action: input.action, actionAt: new Date(), actionDeploymentId: input.deploymentId ?? null, actionMessage: input.message })
    .where(and(eq(incidents.id, input.id), isNull(incidents.action)))
    .returning({ id: incidents.id, environment: incidents.environment });
  if (!row) return false;
  await recordAudit(tx, {
    actor: MONITOR,
    action: `incident.${input.action}`,
    subjectType: 'incident',
    subjectId: String(row.id),
    details: {
      environment: row.environment,
      message: input.message.slice(0, 500),
      ...(input.deploymentId ? { deploymentId: input.deploymentId } : {}),
    },
  });
  return true;
}

export async function getIncident(tx: Tx, input: { id: number }): Promise<IncidentRow | undefined> {
  const [row] = await tx.select().from(incidents).where(eq(incidents.id, input.id));
  return row;
}

/** An environment's incidents, newest first, keyset-paged on id. */
export async function listIncidents(
  tx: Tx,
  input: { environment: string; open?: boolean; kind?: IncidentKind; beforeId?: number; limit: number },
): Promise<{ incidents: IncidentRow[]; hasMore: boolean }> {
  const where: SQL[] = [eq(incidents.environment, input.environment)];
  if (input.open === true) where.push(isNull(incidents.resolvedAt));
  if (input.open === false) where.push(sql`${incidents.resolvedAt} is not null`);
  if (input.kind) where.push(eq(incidents.kind, input.kind));
  if (input.beforeId !== undefined) where.push(lt(incidents.id, input.beforeId));
  const rows = await tx
    .select()
    .from(incidents)
    .where(and(...where))
    .orderBy(desc(incidents.id))
    .limit(input.limit + 1);
  return { incidents: rows.slice(0, input.limit), hasMore: rows.length > input.limit };
}
