// Prepared statements of the hot reads (the environments board, a release, the deployment history page).
// Each is built once per Db with placeholders and `.prepare()`: drizzle does not rebuild the SQL per call, and
// postgres.js keeps the statement prepared on each connection, so Postgres does not parse and plan it again.
// Every read is one round trip: the board is one query (a lateral join picks each environment's newest
// deployment), a release is one query (its deployments are aggregated to JSON text by Postgres, which the API
// splices into the response without parsing it).
import { and, asc, desc, eq, lt, sql } from 'drizzle-orm';
import type { Db } from './client.js';
import { deployments, environments } from './promotion-schema.js';
import { releases } from './schema.js';
import type { DeploymentRow } from './deployments.js';
import type { EnvironmentRow } from './environments.js';
import type { ReleaseRow } from './releases.js';

/** Past every bigserial: "no cursor" without a second statement. */
const NO_CURSOR = Number.MAX_SAFE_INTEGER;

const iso = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * Where a release has been promoted, as the JSON text of `ReleaseEnvironment[]` (newest first, at most 200),
 * for the release whose id is `releaseIdSql`.
 */
function releaseEnvironmentsJson(releaseIdSql: ReturnType<typeof sql>) {
  return sql<string>`(select coalesce(json_agg(json_build_object(
      'environment', d.environment,
      'deploymentId', d.id,
      'status', d.status,
      'isRollback', d.is_rollback,
      'current', coalesce(e.current_release_id = d.release_id and e.current_deployment_id = d.id, false),
      'startedBy', d.started_by,
      'createdAt', ${sql.raw(iso('d.created_at'))},
      'finishedAt', ${sql.raw(iso('d.finished_at'))},
      'statusUrl', '/v1/environments/' || d.environment || '/deployment-history/' || d.id
    ) order by d.id desc), '[]')::text
    from (select * from ${deployments} where ${deployments.releaseId} = ${releaseIdSql} order by ${deployments.id} desc limit 200) d
    left join ${environments} e on e.name = d.environment)`;
}

function build(db: Db) {
  const newest = db
    .select()
    .from(deployments)
    .where(eq(deployments.environment, environments.name))
    .orderBy(desc(deployments.id))
    .limit(1)
    .as('newest');
  return {
    board: db
      .select()
      .from(environments)
      .leftJoinLateral(newest, sql`true`)
      .orderBy(asc(environments.displayOrder), asc(environments.name))
      .prepare('fc_board'),
    release: db
      .select({
        release: releases,
        environments: releaseEnvironmentsJson(sql`${releases.id}`),
      })
      .from(releases)
      .where(eq(releases.id, sql.placeholder('id')))
      .prepare('fc_release'),
    releaseEnvironments: db
      .select({ environments: releaseEnvironmentsJson(sql`${sql.placeholder('id')}::uuid`) })
      .from(sql`(select 1) as one`)
      .prepare('fc_release_environments'),
    history: db
      .select()
      .from(deployments)
      .where(and(eq(deployments.environment, sql.placeholder('environment')), lt(deployments.id, sql.placeholder('before'))))
      .orderBy(desc(deployments.id))
      .limit(sql.placeholder('limit'))
      .prepare('fc_history'),
    historyByStatus: db
      .select()
      .from(deployments)
      .where(
        and(
          eq(deployments.environment, sql.placeholder('environment')),
          eq(deployments.status, sql.placeholder('status')),
          lt(deployments.id, sql.placeholder('before')),
        ),
      )
      .orderBy(desc(deployments.id))
      .limit(sql.placeholder('limit'))
      .prepare('fc_history_status'),
    environmentExists: db
      .select({ name: environments.name })
      .from(environments)
      .where(eq(environments.name, sql.placeholder('name')))
      .prepare('fc_environment_exists'),
  };
}

type Prepared = ReturnType<typeof build>;
const byDb = new WeakMap<Db, Prepared>();

function prepared(db: Db): Prepared {
  let p = byDb.get(db);
  if (!p) {
    p = build(db);
    byDb.set(db, p);
  }
  return p;
}

/** The environments board: every environment in display order with its newest deployment, in one query. */
export async function readBoard(db: Db): Promise<Array<{ environment: EnvironmentRow; newest: DeploymentRow | null }>> {
  const rows = await prepared(db).board.execute();
  return rows.map((r) => ({ environment: r.environments, newest: r.newest }));
}

/**
 * A release with its environments (JSON text of ReleaseEnvironment[]) in one query; with `known`, the
 * caller holds the immutable part already and only the environments are read.
 */
export async function readRelease(db: Db, input: { id: string }): Promise<{ row: ReleaseRow; environmentsJson: string } | undefined> {
  const [row] = await prepared(db).release.execute({ id: input.id });
  return row ? { row: row.release, environmentsJson: row.environments } : undefined;
}

/** The environments part of a release read, for a release whose immutable part is cached. */
export async function readReleaseEnvironments(db: Db, input: { id: string }): Promise<string> {
  const [row] = await prepared(db).releaseEnvironments.execute({ id: input.id });
  return row?.environments ?? '[]';
}

/**
 * A page of an environment's deployment history, newest first (keyset on id; one extra row tells whether
 * another page exists). `undefined` when the environment does not exist (asked only when the page is empty).
 */
export async function readHistoryPage(
  db: Db,
  input: { environment: string; status?: string; before?: number; limit: number },
): Promise<{ rows: DeploymentRow[]; hasMore: boolean } | undefined> {
  const p = prepared(db);
  const params = { environment: input.environment, before: input.before ?? NO_CURSOR, limit: input.limit + 1 };
  const rows =
    input.status === undefined ? await p.history.execute(params) : await p.historyByStatus.execute({ ...params, status: input.status });
  if (rows.length === 0 && (await p.environmentExists.execute({ name: input.environment })).length === 0) return undefined;
  return { rows: rows.slice(0, input.limit), hasMore: rows.length > input.limit };
}
