// Reading the event log (table events, written by triggers: migration 0011). Positions are (tx, id): the
// writing transaction's id, then the row's. A reader reads only events of transactions older than every
// transaction still running (pg_snapshot_xmin), in (tx, id) order, so an event committed later can never
// appear behind a position already handed out: resuming from a position loses nothing and repeats nothing.
import type { Sql } from './client.js';

export interface EventPosition {
  tx: number;
  id: number;
}

export interface EventRow {
  tx: number;
  id: number;
  at: Date;
  type: string;
  environment: string | null;
  releaseId: string | null;
  deploymentId: number | null;
  data: Record<string, unknown>;
}

/** An event row as the raw client returns it (bigints and timestamps as text). */
export interface EventRowText {
  tx: string;
  id: string;
  at: Date | string;
  type: string;
  environment: string | null;
  release_id: string | null;
  deployment_id: string | null;
  data: Record<string, unknown>;
}

/** One representation of an event for every reader (the stream, the notification dispatcher). */
export function eventRowOf(r: EventRowText): EventRow {
  return {
    tx: Number(r.tx),
    id: Number(r.id),
    at: new Date(r.at),
    type: r.type,
    environment: r.environment,
    releaseId: r.release_id,
    deploymentId: r.deployment_id === null ? null : Number(r.deployment_id),
    data: r.data,
  };
}

export interface EventFilter {
  environment?: string;
  releaseId?: string;
  deploymentId?: number;
}

/** `<tx>.<id>`: the SSE event id and Last-Event-ID. */
export function formatPosition(p: EventPosition): string {
  return `${p.tx}.${p.id}`;
}

/** Parses a Last-Event-ID; undefined when it is not one of ours. */
export function parsePosition(text: string | undefined | null): EventPosition | undefined {
  const m = /^(\d{1,19})\.(\d{1,19})$/.exec(text ?? '');
  if (!m) return undefined;
  const tx = Number(m[1]);
  const id = Number(m[2]);
  return Number.isSafeInteger(tx) && Number.isSafeInteger(id) ? { tx, id } : undefined;
}

/**
 * Where a new subscriber starts: just before the oldest transaction still running, so every event of a
 * transaction that commits from now on is delivered (plus, possibly, a few that committed moments ago).
 */
export async function currentPosition(sql: Sql): Promise<EventPosition> {
  const [row] = await sql<Array<{ xmin: string }>>`select pg_snapshot_xmin(pg_current_snapshot())::text as xmin`;
  return { tx: Number(row?.xmin ?? 1) - 1, id: Number.MAX_SAFE_INTEGER };
}

/** Events after `after` matching `filter`, oldest first, at most `limit`, from completed transactions only. */
export async function readEvents(sql: Sql, input: { after: EventPosition; filter: EventFilter; limit: number }): Promise<EventRow[]> {
  const f = input.filter;
  const rows = await sql<EventRowText[]>`
    select tx, id, at, type, environment, release_id, deployment_id, data from events
    where (tx, id) > (${input.after.tx}, ${input.after.id})
      and tx < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
      ${f.environment !== undefined ? sql`and environment = ${f.environment}` : sql``}
      ${f.releaseId !== undefined ? sql`and release_id = ${f.releaseId}` : sql``}
      ${f.deploymentId !== undefined ? sql`and deployment_id = ${f.deploymentId}` : sql``}
    order by tx, id
    limit ${input.limit}`;
  return rows.map(eventRowOf);
}
