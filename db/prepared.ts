// The hot reads (the environments board, a release, the deployment history page) as prepared statements on
// postgres.js directly. postgres.js prepares each distinct statement once per connection, so Postgres neither
// parses nor plans it again; the rows come back already shaped like drizzle's (`as "camelCase"`), so no
// per-column mapping runs in JavaScript (drizzle's result mapping was the largest share of a read's CPU after
// HTTP itself: docs/benchmarks.md). Every read is one round trip: the board is one query (a lateral join picks
// each environment's newest deployment), a release is one query (its deployments are aggregated to JSON text
// by Postgres, spliced into the response without being parsed).
import type { Sql } from './client.js';
import type { DeploymentRow } from './deployments.js';
import type { EnvironmentRow } from './environments.js';
import type { ReleaseRow } from './releases.js';
import type { VerificationState } from '../domain/verification.js';
import { ACTIVE_STATUSES } from '../domain/promotion.js';

/** Past every bigserial: "no cursor" without a second statement. */
const NO_CURSOR = Number.MAX_SAFE_INTEGER;

export const camel = (column: string) => column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
/** `alias.col as "prefixCol", …`: the select list of a table's columns, named like drizzle names them. */
export const selectList = (alias: string, columns: readonly string[], prefix = '') =>
  columns.map((c) => `${alias}.${c} as "${prefix}${camel(c)}"`).join(', ');

export const DEPLOYMENT_COLUMNS = [
  'id',
  'environment',
  'release_id',
  'previous_release_id',
  'is_rollback',
  'status',
  'reason',
  'started_by',
  'started_by_token_id',
  'workflow_id',
  'run_id',
  'current_step',
  'commit_sha',
  'revert_sha',
  'message',
  'when_open',
  'scheduled_for',
  'break_glass_reason',
  'queued_at',
  'actions',
  'created_at',
  'started_at',
  'finished_at',
  'updated_at',
] as const;
export const ENVIRONMENT_COLUMNS = [
  'name',
  'display_order',
  'upstream',
  'protected',
  'approvals_required',
  'approvers',
  'approval_timeout_seconds',
  'approval_wait_seconds',
  'gitops',
  'argocd',
  'kubernetes',
  'cluster_name',
  'clusters',
  'convergence_deadline_seconds',
  'degraded_grace_seconds',
  'upstream_requires',
  'queue_policy',
  'verification',
  'monitoring',
  'auto_promote',
  'current_release_id',
  'current_deployment_id',
  'created_at',
  'updated_at',
] as const;
const RELEASE_COLUMNS = [
  'id',
  'seq',
  'product_version',
  'template_key',
  'template_revision',
  'descriptor',
  'digest',
  'overrides',
  'created_by',
  'created_by_token_id',
  'created_at',
  'idempotency_key',
  'request_digest',
] as const;

const iso = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** JSON text of `ReleaseEnvironment[]` (newest first, at most 200) for the release whose id is `releaseId`. */
const releaseEnvironmentsJson = (releaseId: string) => `(select coalesce(json_agg(json_build_object(
      'environment', d.environment,
      'deploymentId', d.id,
      'status', d.status,
      'isRollback', d.is_rollback,
      'current', coalesce(e.current_release_id = d.release_id and e.current_deployment_id = d.id, false),
      'startedBy', d.started_by,
      'createdAt', ${iso('d.created_at')},
      'finishedAt', ${iso('d.finished_at')},
      'statusUrl', '/v1/environments/' || d.environment || '/deployment-history/' || d.id
    ) order by d.id desc), '[]')::text
    from (select * from deployments where release_id = ${releaseId} order by id desc limit 200) d
    left join environments e on e.name = d.environment)`;

/**
 * JSON text of `ReleaseVerification[]`: the release's verification state in each environment (its newest row
 * there, db/verifications.ts). Mutable (soak, revocation): read per request, never cached with the release.
 */
const releaseVerificationsJson = (releaseId: string) => `(select coalesce(json_agg(json_build_object(
      'environment', v.environment,
      'deploymentId', v.deployment_id,
      'state', v.state,
      'checksPassedAt', ${iso('v.checks_passed_at')},
      'soakUntil', ${iso('v.soak_until')},
      'verifiedAt', ${iso('v.verified_at')},
      'revokedAt', ${iso('v.revoked_at')},
      'reason', v.reason
    ) order by v.environment), '[]')::text
    from (select distinct on (environment) * from release_verifications where release_id = ${releaseId}
      order by environment, deployment_id desc) v)`;
/** JSON text of the rejection in force (`Rejection`, docs/governance.md), or `null`. */
const releaseRejectionJson = (releaseId: string) => `(select coalesce((select json_build_object(
      'releaseId', j.release_id,
      'reason', j.reason,
      'rejectedBy', j.rejected_by,
      'rejectedAt', ${iso('j.rejected_at')},
      'liftedAt', null,
      'liftedBy', null,
      'liftReason', null
    )::text from release_rejections j where j.release_id = ${releaseId} and j.lifted_at is null), 'null'))`;
/** The mutable part of a release read: `"environments":[…],"verifications":[…],"rejection":…` (JSON members, as text). */
const releaseStateJson = (releaseId: string) =>
  `'"environments":' || ${releaseEnvironmentsJson(releaseId)} || ',"verifications":' || ${releaseVerificationsJson(releaseId)}` +
  ` || ',"rejection":' || ${releaseRejectionJson(releaseId)}`;

const VERIFICATION_COLUMNS = [
  'deployment_id',
  'release_id',
  'state',
  'checks_passed_at',
  'soak_until',
  'verified_at',
  'revoked_at',
  'reason',
] as const;
/** The board's deployment of an environment: its active one, else its newest that left the queue (queued ones wait behind). */
const ACTIVE = ACTIVE_STATUSES.map((v) => `'${v}'`).join(',');
/**
 * Every environment's board entry, keyed by its name and the versions of the rows it is made of (`boardKey`: the
 * environment row's xmin, the shown deployment's id and xmin, the verification row's xmin, the queue length; any
 * committed update of a row changes its xmin). An entry whose key is in $1 comes back as its key alone (the caller
 * holds it already: Postgres need not turn its JSON columns into text, nor the caller parse them); any other as
 * its key and its columns, one JSON object.
 */
const BOARD = `select b."boardKey", case when b."boardKey" = any($1::text[]) then null else row_to_json(b) end as "entry"
  from (select e.name || '/' || e.xmin::text || '.' || coalesce(d.id::text, '-') || '.' || coalesce(d.row_version, '-') || '.'
      || coalesce(v.xmin::text, '-') || '.' || q.n as "boardKey",
    ${selectList('e', ENVIRONMENT_COLUMNS)}, ${selectList('d', DEPLOYMENT_COLUMNS, 'd_')},
    ${selectList('v', VERIFICATION_COLUMNS, 'v_')}, q.n as "q_length"
    from environments e
    left join lateral ((select *, xmin::text as row_version from deployments where environment = e.name and status in (${ACTIVE}) limit 1)
      union all (select *, xmin::text from deployments where environment = e.name and status not in ('queued', 'superseded')
        order by id desc limit 1)
      limit 1) d on true
    left join release_verifications v on v.deployment_id = e.current_deployment_id
    cross join lateral (select count(*)::int as n from deployments q where q.environment = e.name and q.status = 'queued') q) b
  order by b."displayOrder", b."name"`;
const RELEASE = `select ${selectList('r', RELEASE_COLUMNS)}, ${releaseStateJson('r.id')} as "stateJson"
  from releases r where r.id = $1`;
const RELEASE_STATE = `select ${releaseStateJson('$1::uuid')} as "stateJson"`;
const HISTORY = `select ${selectList('d', DEPLOYMENT_COLUMNS)} from deployments d
  where d.environment = $1 and d.id < $2 order by d.id desc limit $3`;
const HISTORY_BY_STATUS = `select ${selectList('d', DEPLOYMENT_COLUMNS)} from deployments d
  where d.environment = $1 and d.status = $4 and d.id < $2 order by d.id desc limit $3`;
const ENVIRONMENT_EXISTS = `select 1 from environments where name = $1`;

export type Raw = Record<string, unknown>;
/**
 * Timestamps arrive as text when drizzle shares the client (its postgres-js driver turns postgres.js's date
 * parsers off to map them itself), as Dates otherwise; bigint columns arrive as strings, where drizzle's rows
 * (mode: 'number') hold numbers.
 */
export const date = (v: unknown): Date => (v instanceof Date ? v : new Date(v as string));
const dateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : date(v));
/**
 * A timestamp as toISOString() writes it. PostgreSQL's text for a UTC session (`2026-12-01 19:14:03.123456+00`)
 * is rewritten as a string (about a tenth of the cost of new Date(text).toISOString(); milliseconds truncated as
 * Date's parser does); anything else (a Date, another offset) goes through Date.
 */
export function isoOfTimestamp(v: unknown): string {
  if (typeof v === 'string' && v.length >= 22 && v.length <= 29 && v.endsWith('+00') && v[10] === ' ') {
    const fraction = v.length > 22 ? v.slice(20, Math.min(23, v.length - 3)) : '';
    return `${v.slice(0, 10)}T${v.slice(11, 19)}.${fraction.padEnd(3, '0')}Z`;
  }
  return date(v).toISOString();
}
const isoOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : isoOfTimestamp(v));
/** A deployment row whose timestamps are ISO 8601 text already (what the history page shows). */
export type DeploymentIsoRow = Omit<DeploymentRow, 'createdAt' | 'startedAt' | 'finishedAt' | 'updatedAt' | 'scheduledFor' | 'queuedAt'> & {
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
  scheduledFor: string | null;
  queuedAt: string | null;
};
const deploymentIsoOf = (r: Raw): DeploymentIsoRow => ({
  ...(r as DeploymentIsoRow),
  id: Number(r.id),
  createdAt: isoOfTimestamp(r.createdAt),
  startedAt: isoOrNull(r.startedAt),
  finishedAt: isoOrNull(r.finishedAt),
  updatedAt: isoOfTimestamp(r.updatedAt),
  scheduledFor: isoOrNull(r.scheduledFor),
  queuedAt: isoOrNull(r.queuedAt),
});
export const deploymentOf = (r: Raw): DeploymentRow => ({
  ...(r as DeploymentRow),
  id: Number(r.id),
  createdAt: date(r.createdAt),
  startedAt: dateOrNull(r.startedAt),
  finishedAt: dateOrNull(r.finishedAt),
  updatedAt: date(r.updatedAt),
  scheduledFor: dateOrNull(r.scheduledFor),
  queuedAt: dateOrNull(r.queuedAt),
});

/** An environment row as drizzle returns it, from the columns of ENVIRONMENT_COLUMNS. */
export const environmentOf = (r: Raw): EnvironmentRow => {
  const current = r.currentDeploymentId;
  return {
    ...(r as EnvironmentRow),
    currentDeploymentId: current === null || current === undefined ? null : Number(current),
    createdAt: date(r.createdAt),
    updatedAt: date(r.updatedAt),
  };
};

/** The verification state of an environment's current release (its current deployment's row), as the board shows it. */
export interface CurrentVerification {
  deploymentId: number;
  releaseId: string;
  state: VerificationState;
  checksPassedAt: Date | null;
  soakUntil: Date | null;
  verifiedAt: Date | null;
  revokedAt: Date | null;
  reason: string | null;
}

const verificationOf = (v: Raw): CurrentVerification | null =>
  v.deploymentId === null || v.deploymentId === undefined
    ? null
    : {
        deploymentId: Number(v.deploymentId),
        releaseId: v.releaseId as string,
        state: v.state as VerificationState,
        checksPassedAt: dateOrNull(v.checksPassedAt),
        soakUntil: dateOrNull(v.soakUntil),
        verifiedAt: dateOrNull(v.verifiedAt),
        revokedAt: dateOrNull(v.revokedAt),
        reason: (v.reason as string | null) ?? null,
      };

/** One environment's board entry; `entry` is absent when the caller holds `key` already (readBoard's `held`). */
export interface BoardRow {
  /** `name/version`: changes whenever anything the entry shows changes (BOARD). */
  key: string;
  name: string;
  entry?: { environment: EnvironmentRow; newest: DeploymentRow | null; verification: CurrentVerification | null; queueLength: number };
}

/**
 * The environments board: every environment in display order with its newest deployment, the verification
 * state of its current release and its queue length, in one query. Entries whose key is in `held` come back
 * without their rows.
 */
export async function readBoard(sql: Sql, held: readonly string[] = []): Promise<BoardRow[]> {
  const rows = await sql.unsafe<Raw[]>(BOARD, [held as string[]], { prepare: true });
  return rows.map((r) => {
    const key = r.boardKey as string;
    const name = key.slice(0, key.indexOf('/'));
    const row = r.entry as Raw | null;
    if (row === null) return { key, name };
    const environment: Raw = {};
    const deployment: Raw = {};
    const verification: Raw = {};
    for (const k in row) {
      if (k === 'q_length' || k === 'boardKey') continue;
      if (k.startsWith('d_')) deployment[k.slice(2)] = row[k];
      else if (k.startsWith('v_')) verification[k.slice(2)] = row[k];
      else environment[k] = row[k];
    }
    const entry = {
      environment: environmentOf(environment),
      newest: deployment.id === null ? null : deploymentOf(deployment),
      verification: verificationOf(verification),
      queueLength: Number(row.q_length ?? 0),
    };
    return { key, name, entry };
  });
}

/**
 * A release with its mutable state in one query: `stateJson` is the JSON members text
 * `"environments":[…ReleaseEnvironment],"verifications":[…ReleaseVerification]`.
 */
export async function readRelease(sql: Sql, input: { id: string }): Promise<{ row: ReleaseRow; stateJson: string } | undefined> {
  const [r] = await sql.unsafe<Raw[]>(RELEASE, [input.id], { prepare: true });
  if (!r) return undefined;
  const { stateJson, ...row } = r;
  return {
    row: { ...(row as ReleaseRow), seq: Number(row.seq), createdAt: date(row.createdAt) },
    stateJson: stateJson as string,
  };
}

/** The mutable part of a release read (see readRelease), for a release whose immutable part is cached. */
export async function readReleaseState(sql: Sql, input: { id: string }): Promise<string> {
  const [r] = await sql.unsafe<Raw[]>(RELEASE_STATE, [input.id], { prepare: true });
  return (r?.stateJson as string | undefined) ?? '"environments":[],"verifications":[]';
}

/**
 * A page of an environment's deployment history, newest first (keyset on id; one extra row tells whether
 * another page exists). `undefined` when the environment does not exist (asked only when the page is empty).
 */
export async function readHistoryPage(
  sql: Sql,
  input: { environment: string; status?: string; before?: number; limit: number },
): Promise<{ rows: DeploymentIsoRow[]; hasMore: boolean } | undefined> {
  const params = [input.environment, input.before ?? NO_CURSOR, input.limit + 1];
  const rows =
    input.status === undefined
      ? await sql.unsafe<Raw[]>(HISTORY, params, { prepare: true })
      : await sql.unsafe<Raw[]>(HISTORY_BY_STATUS, [...params, input.status], { prepare: true });
  if (rows.length === 0 && (await sql.unsafe(ENVIRONMENT_EXISTS, [input.environment], { prepare: true })).length === 0) return undefined;
  return { rows: rows.slice(0, input.limit).map(deploymentIsoOf), hasMore: rows.length > input.limit };
}
