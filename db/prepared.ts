// The hot reads (the environments board, a release, the deployment history page) as prepared statements on
// postgres.js directly. postgres.js prepares each distinct statement once per connection, so Postgres neither
// parses nor plans it again; the rows come back already shaped like drizzle's (`as "camelCase"`), so no
// per-column mapping runs in JavaScript (drizzle's result mapping was the largest share of a read's CPU after
// HTTP itself: docs/benchmarks.md). Every read is one round trip: the board is one query (a lateral join picks
// each environment's newest deployment), a release is one query (its deployments are aggregated to JSON text
// by Postgres, spliced into the response without being parsed), and the history page's JSON is built by Postgres
// too (no row is parsed or serialized in JavaScript).
import type { Sql } from './client.js';
import type { DeploymentRow } from './deployments.js';
import type { EnvironmentRow } from './environments.js';
import type { ReleaseRow } from './releases.js';
import type { VerificationState } from '../domain/verification.js';
import { ACTIVE_STATUSES, PARK_START, RESUMES } from '../domain/promotion.js';

/** Past every bigserial: "no cursor" without a second statement. */
const NO_CURSOR = Number.MAX_SAFE_INTEGER;

const camel = (column: string) => column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
/** `alias.col as "prefixCol", …`: the select list of a table's columns, named like drizzle names them. */
const selectList = (alias: string, columns: readonly string[], prefix = '') =>
  columns.map((c) => `${alias}.${c} as "${prefix}${camel(c)}"`).join(', ');

const DEPLOYMENT_COLUMNS = [
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
const ENVIRONMENT_COLUMNS = [
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
const BOARD_DEPLOYMENT = (e: string) => `(select * from deployments where environment = ${e}.name and status in (${ACTIVE}) limit 1)
    union all (select * from deployments where environment = ${e}.name and status not in ('queued', 'superseded') order by id desc limit 1)
    limit 1`;
const BOARD = `select ${selectList('e', ENVIRONMENT_COLUMNS)}, ${selectList('d', DEPLOYMENT_COLUMNS, 'd_')},
  ${selectList('v', VERIFICATION_COLUMNS, 'v_')},
  (select count(*) from deployments q where q.environment = e.name and q.status = 'queued')::int as "q_length"
  from environments e
  left join lateral (${BOARD_DEPLOYMENT('e')}) d on true
  left join release_verifications v on v.deployment_id = e.current_deployment_id
  order by e.display_order, e.name`;
const RELEASE = `select ${selectList('r', RELEASE_COLUMNS)}, ${releaseStateJson('r.id')} as "stateJson"
  from releases r where r.id = $1`;
const RELEASE_STATE = `select ${releaseStateJson('$1::uuid')} as "stateJson"`;
const ENVIRONMENT_EXISTS = `select 1 from environments where name = $1`;

/** A SQL string literal. */
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;
/**
 * `DeploymentSummary` (api/schemas.ts deploymentSummary) of the row `d` as JSON, built by Postgres: parkReason as
 * domain/promotion.ts parkReasonOf decides it (its pattern is a POSIX regular expression too), timestamps in
 * toISOString()'s form. db/prepared.test.ts holds it equal to deploymentSummary over varied rows.
 */
const deploymentSummaryJson = (d: string) => `json_build_object(
      'id', ${d}.id, 'environment', ${d}.environment, 'releaseId', ${d}.release_id, 'previousReleaseId', ${d}.previous_release_id,
      'isRollback', ${d}.is_rollback, 'status', ${d}.status, 'currentStep', ${d}.current_step, 'message', ${d}.message,
      'parkReason', case when ${d}.status <> 'awaiting_operator' then null
        when ${d}.message ~ ${literal(PARK_START.source)} and right(${d}.message, ${RESUMES.length}) = ${literal(RESUMES)} then 'sync-window'
        else 'step-failed' end,
      'reason', ${d}.reason, 'startedBy', ${d}.started_by, 'commitSha', ${d}.commit_sha, 'revertSha', ${d}.revert_sha,
      'workflowId', ${d}.workflow_id, 'runId', ${d}.run_id, 'createdAt', ${iso(`${d}.created_at`)}, 'startedAt', ${iso(`${d}.started_at`)},
      'finishedAt', ${iso(`${d}.finished_at`)}, 'updatedAt', ${iso(`${d}.updated_at`)}, 'whenOpen', ${d}.when_open,
      'scheduledFor', ${iso(`${d}.scheduled_for`)}, 'breakGlassReason', ${d}.break_glass_reason, 'queuedAt', ${iso(`${d}.queued_at`)},
      'actions', ${d}.actions)`;
/**
 * The history page as JSON text (`DeploymentSummary[]`, newest first), the number of rows read (limit + 1 tells
 * that another page exists) and the id of the page's last row. $1 environment, $2 before id, $3 limit[, $4 status]:
 * two statements, so that each is planned on its own index.
 */
const historyJson = (
  byStatus: boolean,
) => `select coalesce(json_agg(${deploymentSummaryJson('p')} order by p.id desc) filter (where p.n <= $3), '[]')::text as "json",
    count(*)::int as "read", min(p.id) filter (where p.n <= $3) as "lastId"
  from (select d.*, row_number() over (order by d.id desc) as n from deployments d
    where d.environment = $1${byStatus ? ' and d.status = $4' : ''} and d.id < $2 order by d.id desc limit $3 + 1) p`;
const HISTORY_JSON = historyJson(false);
const HISTORY_JSON_BY_STATUS = historyJson(true);

/** `{ "clusterName": … }` when `condition` holds, else `{}` (a jsonb member present only when set). */
const memberIf = (condition: string, name: string, value: string) =>
  `case when ${condition} then jsonb_build_object('${name}', ${value}) else '{}'::jsonb end`;
/** environmentConfigOf (db/environments.ts) in SQL: defaults and empty values absent, as there. */
const environmentConfigJson = (e: string) => `jsonb_build_object('displayOrder', ${e}.display_order, 'upstream', to_jsonb(${e}.upstream),
      'protected', ${e}.protected, 'approvalsRequired', ${e}.approvals_required, 'approvers', to_jsonb(${e}.approvers),
      'approvalTimeoutSeconds', ${e}.approval_timeout_seconds, 'approvalWaitSeconds', ${e}.approval_wait_seconds,
      'gitops', ${e}.gitops, 'argocd', ${e}.argocd, 'kubernetes', ${e}.kubernetes,
      'convergenceDeadlineSeconds', ${e}.convergence_deadline_seconds, 'degradedGraceSeconds', ${e}.degraded_grace_seconds)
    || ${memberIf(`${e}.cluster_name is not null`, 'clusterName', `${e}.cluster_name`)}
    || ${memberIf(`jsonb_array_length(${e}.clusters) > 0`, 'clusters', `${e}.clusters`)}
    || ${memberIf(`${e}.upstream_requires <> 'succeeded'`, 'upstreamRequires', `${e}.upstream_requires`)}
    || ${memberIf(`${e}.queue_policy <> 'fifo'`, 'queuePolicy', `${e}.queue_policy`)}
    || ${memberIf(`coalesce(jsonb_typeof(${e}.verification), 'null') <> 'null'`, 'verification', `${e}.verification`)}
    || ${memberIf(`coalesce(jsonb_typeof(${e}.monitoring), 'null') <> 'null'`, 'monitoring', `${e}.monitoring`)}`;
/**
 * The board without live status as JSON text (`{ environments: Environment[] }` of api/routes/environments.ts),
 * built by Postgres from the same joins as BOARD. api/reads.test.ts holds each entry equal to the JavaScript view
 * of GET /v1/environments/:env?live=false.
 */
const BOARD_JSON = `select '{"environments":' || coalesce(json_agg(json_build_object(
      'name', e.name, 'config', ${environmentConfigJson('e')},
      'currentReleaseId', e.current_release_id, 'currentDeploymentId', e.current_deployment_id,
      'lastDeployment', case when d.id is null then null else ${deploymentSummaryJson('d')} end,
      'live', null,
      'verification', case when v.deployment_id is null then null else json_build_object('deploymentId', v.deployment_id,
        'releaseId', v.release_id, 'state', v.state, 'checksPassedAt', ${iso('v.checks_passed_at')}, 'soakUntil', ${iso('v.soak_until')},
        'verifiedAt', ${iso('v.verified_at')}, 'revokedAt', ${iso('v.revoked_at')}, 'reason', v.reason) end,
      'queueLength', (select count(*) from deployments q where q.environment = e.name and q.status = 'queued'),
      'updatedAt', ${iso('e.updated_at')}
    ) order by e.display_order, e.name), '[]')::text || '}' as "json"
  from environments e
  left join lateral (${BOARD_DEPLOYMENT('e')}) d on true
  left join release_verifications v on v.deployment_id = e.current_deployment_id`;

type Raw = Record<string, unknown>;
/**
 * Timestamps arrive as text when drizzle shares the client (its postgres-js driver turns postgres.js's date
 * parsers off to map them itself), as Dates otherwise; bigint columns arrive as strings, where drizzle's rows
 * (mode: 'number') hold numbers.
 */
const date = (v: unknown): Date => (v instanceof Date ? v : new Date(v as string));
const dateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : date(v));
const deploymentOf = (r: Raw): DeploymentRow => ({
  ...(r as DeploymentRow),
  id: Number(r.id),
  createdAt: date(r.createdAt),
  startedAt: dateOrNull(r.startedAt),
  finishedAt: dateOrNull(r.finishedAt),
  updatedAt: date(r.updatedAt),
  scheduledFor: dateOrNull(r.scheduledFor),
  queuedAt: dateOrNull(r.queuedAt),
});

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

/**
 * The environments board: every environment in display order with its newest deployment and the verification
 * state of its current release, in one query.
 */
export async function readBoard(
  sql: Sql,
): Promise<
  Array<{ environment: EnvironmentRow; newest: DeploymentRow | null; verification: CurrentVerification | null; queueLength: number }>
> {
  const rows = await sql.unsafe<Raw[]>(BOARD, [], { prepare: true });
  return rows.map((r) => {
    const environment: Raw = {};
    const deployment: Raw = {};
    const verification: Raw = {};
    for (const key in r) {
      if (key === 'q_length') continue;
      if (key.startsWith('d_')) deployment[key.slice(2)] = r[key];
      else if (key.startsWith('v_')) verification[key.slice(2)] = r[key];
      else environment[key] = r[key];
    }
    const current = environment.currentDeploymentId;
    return {
      environment: {
        ...(environment as EnvironmentRow),
        currentDeploymentId: current === null ? null : Number(current),
        createdAt: date(environment.createdAt),
        updatedAt: date(environment.updatedAt),
      },
      newest: deployment.id === null ? null : deploymentOf(deployment),
      verification: verificationOf(verification),
      queueLength: Number(r.q_length ?? 0),
    };
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
 * A page of an environment's deployment history as the JSON text of `DeploymentSummary[]` (built by Postgres,
 * spliced into the response unparsed), whether another page exists, and the id of its last row (the cursor).
 * `undefined` when the environment does not exist (asked only when the page is empty).
 */
export async function readHistoryPageJson(
  sql: Sql,
  input: { environment: string; status?: string; before?: number; limit: number },
): Promise<{ json: string; hasMore: boolean; lastId: number | null } | undefined> {
  const params = [input.environment, input.before ?? NO_CURSOR, input.limit];
  type Page = Array<{ json: string; read: number; lastId: string | number | null }>;
  const [r] =
    input.status === undefined
      ? await sql.unsafe<Page>(HISTORY_JSON, params, { prepare: true })
      : await sql.unsafe<Page>(HISTORY_JSON_BY_STATUS, [...params, input.status], { prepare: true });
  const read = r?.read ?? 0;
  if (read === 0 && (await sql.unsafe(ENVIRONMENT_EXISTS, [input.environment], { prepare: true })).length === 0) return undefined;
  return {
    json: r?.json ?? '[]',
    hasMore: read > input.limit,
    lastId: r?.lastId === null || r?.lastId === undefined ? null : Number(r.lastId),
  };
}

/** The environments board without live status, as the JSON text of its response body (see BOARD_JSON). */
export async function readBoardJson(sql: Sql): Promise<string> {
  const [r] = await sql.unsafe<Array<{ json: string }>>(BOARD_JSON, [], { prepare: true });
  return r?.json ?? '{"environments":[]}';
}
