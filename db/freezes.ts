// Data access for freeze windows (table freeze_windows): created and ended by admins through the API, every
// change audited in the same transaction; read by the promotion rules (the API and the workflow's admission).
import { and, asc, eq, isNull, or } from 'drizzle-orm';
import type { Tx } from './client.js';
import { recordAudit, type AuditActor } from './audit.js';
import { freezeWindows } from './governance-schema.js';
import type { FreezeKind, FreezeSchedule, FreezeWindow } from '../domain/freeze.js';

export type FreezeRow = typeof freezeWindows.$inferSelect;

export function freezeWindowOf(row: FreezeRow): FreezeWindow {
  return { id: row.id, environment: row.environment, kind: row.kind, schedule: row.schedule, reason: row.reason };
}

export async function insertFreezeWindow(
  tx: Tx,
  input: { environment: string | null; kind: FreezeKind; schedule: FreezeSchedule; reason: string; actor: AuditActor; requestId?: string },
): Promise<FreezeRow> {
  const [row] = await tx
    .insert(freezeWindows)
    .values({
      environment: input.environment,
      kind: input.kind,
      schedule: input.schedule,
      reason: input.reason,
      createdBy: input.actor.name,
      createdByTokenId: input.actor.tokenId ?? null,
    })
    .returning();
  if (!row) throw new Error('freeze window insert returned no row');
  await recordAudit(tx, {
    actor: input.actor,
    action: 'freeze.create',
    subjectType: 'freeze_window',
    subjectId: row.id,
    requestId: input.requestId ?? null,
    details: { environment: row.environment, kind: row.kind, schedule: row.schedule, reason: row.reason },
  });
  return row;
}

/** Ends a window (it stops applying); undefined when there is no such window or it had ended already. */
export async function endFreezeWindow(
  tx: Tx,
  input: { id: string; actor: AuditActor; requestId?: string },
): Promise<FreezeRow | undefined> {
  const [row] = await tx
    .update(freezeWindows)
    .set({ endedAt: new Date(), endedBy: input.actor.name })
    .where(and(eq(freezeWindows.id, input.id), isNull(freezeWindows.endedAt)))
    .returning();
  if (!row) return undefined;
  await recordAudit(tx, {
    actor: input.actor,
    action: 'freeze.end',
    subjectType: 'freeze_window',
    subjectId: row.id,
    requestId: input.requestId ?? null,
    details: { environment: row.environment, kind: row.kind, reason: row.reason },
  });
  return row;
}

export async function getFreezeWindow(tx: Tx, input: { id: string }): Promise<FreezeRow | undefined> {
  const [row] = await tx.select().from(freezeWindows).where(eq(freezeWindows.id, input.id));
  return row;
}

/**
 * Windows in force (not ended): those of `environment` and the global ones; `environment` undefined = all;
 * `includeEnded` lists ended windows too (newest last).
 */
export async function listFreezeWindows(tx: Tx, input: { environment?: string; includeEnded?: boolean }): Promise<FreezeRow[]> {
  const where = [];
  if (input.environment !== undefined) where.push(or(eq(freezeWindows.environment, input.environment), isNull(freezeWindows.environment)));
  if (!input.includeEnded) where.push(isNull(freezeWindows.endedAt));
  return tx
    .select()
    .from(freezeWindows)
    .where(and(...where))
    .orderBy(asc(freezeWindows.createdAt), asc(freezeWindows.id))
    .limit(1000);
}
