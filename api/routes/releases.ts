// Release Service: immutable releases identified by UUID.
//   POST /v2/releases/create/:productVersion    validate + store a descriptor (seed contract)   releaser
//   POST /v2/releases/validate/:productVersion  the same report, nothing stored (dry run)       releaser
//   GET  /v2/releases                           list, newest first, keyset pagination          viewer
//   GET  /v2/releases/:releaseId                one release with its descriptor                 viewer
//   GET  /v2/releases/:a/diff/:b                component-level difference from a to b         viewer
//
// Overrides of pinned values are acknowledged with the repeatable query parameter `acknowledgeOverride`
// (also comma-separated), holding the problem paths, e.g.
//   ?acknowledgeOverride=infra.gateway.Deployment.containers.gateway.tag
// The body stays the descriptor itself (the seed's contract), so the acknowledgement travels beside it.
//
// Idempotency-Key (header, 1–255 visible ASCII characters, scoped to the calling token): the first create
// stores the key with the release. A retry with the same key and the same request (product version,
// descriptor digest, acknowledged overrides) answers 200 with the same release and `Idempotent-Replayed: true`
// (without re-validating, so it still answers after the template moved on). The same key with a different
// request is 422 IDEMPOTENCY_KEY_REUSED. A rejected create stores nothing, so its key stays unused.
import { ReleaseRef, resolveReleaseId } from '../services/release-ref.js';
import { rejectedAmong } from '../../db/holds.js';
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { createRouter } from '../app.js';
import type { AppEnv } from '../context.js';
import { ApiError, assertDocumentSize, problemsError } from '../errors.js';
import { actorOf } from '../auth.js';
import { documentedJson, protectedRoute } from '../openapi.js';
import { CreatedRelease, releaseDetails, ReleaseSummary, releaseSummary, ReleaseWithEnvironments, TemplateRef } from '../schemas.js';
import { resolveOrThrow } from '../services/templates.js';
import { Descriptor } from '../../domain/descriptor.js';
import { parseSemver } from '../../domain/semver.js';
import { Override, validateDescriptor } from '../../domain/validate.js';
import { diffReleases, ReleaseDiff } from '../../domain/diff.js';
import { digestOf } from '../../domain/digest.js';
import { findReleaseByIdempotencyKey, getRelease, insertRelease, listReleases, type ReleaseRow } from '../../db/releases.js';
import { recordAudit } from '../../db/audit.js';
import { readRelease, readReleaseState } from '../../db/prepared.js';
import { positionId } from '../cursor.js';
import { IMMUTABLE, REVALIDATE, sendJson } from '../http-cache.js';

const DescriptorBody = documentedJson(
  Descriptor,
  'A concrete release descriptor: the resolved template with every placeholder filled and without `optional` markers.',
).openapi({
  example: {
    core: { api: { Deployment: { containers: { api: { repo: 'org/api', tag: '1.4.2' } } } } },
    infra: { gateway: { Deployment: { containers: { gateway: { repo: 'org/gateway', tag: 'stable' } } } } },
  },
});

const ProductVersionParam = z.object({
  productVersion: z.string().openapi({ param: { name: 'productVersion', in: 'path' }, example: '2.4.1' }),
});
const AckQuery = z.object({
  acknowledgeOverride: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .openapi({
      param: { name: 'acknowledgeOverride', in: 'query', style: 'form', explode: true },
      description: 'Path of a pinned value this descriptor overrides on purpose (repeatable, or comma-separated)',
      example: 'infra.gateway.Deployment.containers.gateway.tag',
    }),
});
const IdempotencyHeader = z.object({
  'idempotency-key': z
    .string()
    .regex(/^[\x21-\x7e]{1,255}$/, 'Idempotency-Key must be 1-255 visible ASCII characters')
    .optional()
    .openapi({ param: { name: 'idempotency-key', in: 'header' }, example: 'ci-run-4711' }),
});
const ReleaseIdParam = z.object({
  releaseId: ReleaseRef.openapi({ param: { name: 'releaseId', in: 'path' }, description: 'The release id, or its first 8+ hex digits' }),
});

/** The request create and validate share: the product version, the acknowledged overrides and the descriptor. */
const descriptorRequest = {
  params: ProductVersionParam,
  query: AckQuery,
  body: { content: { 'application/json': { schema: DescriptorBody } }, required: true as const },
};

function acknowledged(raw: string | string[] | undefined): string[] {
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const paths = list
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (paths.length > 10_000) throw new ApiError('VALIDATION_FAILED', 'Too many acknowledged overrides');
  return [...new Set(paths)].sort();
}

function releaseVersion(productVersion: string): string {
  if (!parseSemver(productVersion)) {
    throw new ApiError('INVALID_PRODUCT_VERSION', `"${productVersion}" is not a semantic version (e.g. 2.4.1, 2.5.0-rc.1)`);
  }
  return productVersion;
}

/** Validates a descriptor against the template its product version resolves to. */
async function check(c: Context<AppEnv>, productVersion: string, descriptor: unknown, acks: string[]) {
  assertDocumentSize('descriptor', descriptor);
  const template = await resolveOrThrow(c.get('deps').database.db, productVersion);
  const result = validateDescriptor({ descriptor, template: template.document, acknowledgedOverrides: acks });
  const templateRef = { key: template.key, revision: template.revision };
  if (!result.ok) throw problemsError('RELEASE_INVALID', result.problems, { template: templateRef });
  return { template, templateRef, descriptor: result.descriptor, overrides: result.overrides, digest: digestOf(result.descriptor) };
}

const createReleaseRoute = protectedRoute('releaser', {
  method: 'post',
  path: '/v2/releases/create/{productVersion}',
  tags: ['releases'],
  summary: 'Create an immutable release from a descriptor',
  description:
    'Validates the descriptor against the template the product version resolves to and stores it with a new UUID, ' +
    'its canonical SHA-256 digest and the template revision. Every problem is reported at once (422). ' +
    'Overrides of pinned values need `acknowledgeOverride`. With `Idempotency-Key`, a retry answers 200 with the same release.',
  request: { ...descriptorRequest, headers: IdempotencyHeader },
  responses: {
    200: {
      description: 'Idempotent replay: the release created earlier with this Idempotency-Key',
      content: { 'application/json': { schema: CreatedRelease } },
    },
    201: { description: 'Created', content: { 'application/json': { schema: CreatedRelease } } },
  },
  errors: [400, 404, 413, 415, 422],
});

const validateRoute = protectedRoute('releaser', {
  method: 'post',
  path: '/v2/releases/validate/{productVersion}',
  tags: ['releases'],
  summary: 'Dry run: validate a descriptor without storing anything',
  request: descriptorRequest,
  responses: {
    200: {
      description: 'Valid: what create would store',
      content: {
        'application/json': {
          schema: z
            .object({
              valid: z.literal(true),
              productVersion: z.string(),
              template: TemplateRef,
              digest: z.string(),
              acknowledgedOverrides: z.array(Override),
              problems: z.array(z.unknown()).max(0),
            })
            .openapi('ValidationReport'),
        },
      },
    },
  },
  errors: [400, 404, 413, 415, 422],
});

const listRoute = protectedRoute('viewer', {
  method: 'get',
  path: '/v2/releases',
  tags: ['releases'],
  summary: 'List releases, newest first',
  request: {
    query: z.object({
      productVersion: z.string().max(256).optional(),
      createdBy: z.string().max(256).optional().openapi({ description: 'Creator token id (UUID) or token name' }),
      limit: z.coerce.number().int().min(1).max(200).default(50),
      cursor: z.string().max(512).optional().openapi({ description: 'Opaque: the nextCursor of the previous page' }),
    }),
  },
  responses: {
    200: {
      description: 'A page of releases',
      content: { 'application/json': { schema: z.object({ releases: z.array(ReleaseSummary), nextCursor: z.string().nullable() }) } },
    },
  },
  errors: [400],
});

const getRoute = protectedRoute('viewer', {
  method: 'get',
  path: '/v2/releases/{releaseId}',
  tags: ['releases'],
  summary: 'One release: descriptor, digest, template revision, creator, time and acknowledged overrides',
  request: { params: ReleaseIdParam },
  responses: {
    200: {
      description:
        'The release and the environments it has passed through. `ETag` and `Cache-Control: private, no-cache`: the ' +
        'descriptor never changes but the environments do, so a client revalidates with If-None-Match (304 when unchanged).',
      content: { 'application/json': { schema: ReleaseWithEnvironments } },
    },
  },
  errors: [400, 404],
});

const diffRoute = protectedRoute('viewer', {
  method: 'get',
  path: '/v2/releases/{a}/diff/{b}',
  tags: ['releases'],
  summary: 'Component-level difference going from release a to release b',
  request: {
    params: z.object({
      a: ReleaseRef.openapi({ param: { name: 'a', in: 'path' } }),
      b: ReleaseRef.openapi({ param: { name: 'b', in: 'path' } }),
    }),
  },
  responses: {
    200: {
      description: 'The difference (two immutable releases: `Cache-Control: private, immutable`, with an ETag)',
      content: { 'application/json': { schema: ReleaseDiff.extend({ from: z.string(), to: z.string() }).openapi('ReleaseDiff') } },
    },
  },
  errors: [400, 404],
});

async function mustGet(c: Context<AppEnv>, id: string): Promise<ReleaseRow> {
  const row = await getRelease(c.get('deps').database.db, { id });
  if (!row) throw new ApiError('RELEASE_NOT_FOUND', `No release ${id}`);
  return row;
}

function replayOrConflict(existing: ReleaseRow, requestDigest: string): ReleaseRow {
  if (existing.requestDigest !== requestDigest) {
    throw new ApiError(
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key was already used for a different request (product version, descriptor or acknowledged overrides)',
      { releaseId: existing.id },
    );
  }
  return existing;
}

export const releaseRoutes = createRouter()
  .openapi(createReleaseRoute, async (c) => {
    const productVersion = releaseVersion(c.req.valid('param').productVersion);
    const acks = acknowledged(c.req.valid('query').acknowledgeOverride);
    const idempotencyKey = c.req.valid('header')['idempotency-key'] ?? null;
    const body = c.req.valid('json');
    const actor = actorOf(c);
    const { db } = c.get('deps').database;
    const replay = (row: ReleaseRow) => {
      c.header('Idempotent-Replayed', 'true');
      c.header('Location', `/v2/releases/${row.id}`);
      return c.json({ ...releaseSummary(row), status: 'created' as const }, 200);
    };

    // The request's own identity, computed before validation so a retry needs no template at all.
    let requestDigest: string;
    try {
      requestDigest = digestOf({ productVersion, descriptor: body, acknowledgedOverrides: acks });
    } catch (err) {
      throw new ApiError('VALIDATION_FAILED', 'Body cannot be represented as canonical JSON', undefined, { cause: err });
    }
    if (idempotencyKey !== null) {
      const existing = await findReleaseByIdempotencyKey(db, { createdByTokenId: actor.tokenId, idempotencyKey });
      if (existing) return replay(replayOrConflict(existing, requestDigest));
    }

    const checked = await check(c, productVersion, body, acks);
    const { row, created } = await db.transaction(async (tx) => {
      const inserted = await insertRelease(tx, {
        id: crypto.randomUUID(),
        productVersion,
        templateKey: checked.template.key,
        templateRevision: checked.template.revision,
        descriptor: checked.descriptor,
        digest: checked.digest,
        overrides: checked.overrides,
        createdBy: actor.name,
        createdByTokenId: actor.tokenId,
        idempotencyKey,
        requestDigest,
      });
      if (inserted.created) {
        await recordAudit(tx, {
          actor,
          action: 'release.create',
          subjectType: 'release',
          subjectId: inserted.row.id,
          requestId: c.get('requestId'),
          details: {
            productVersion,
            template: checked.templateRef,
            digest: checked.digest,
            acknowledgedOverrides: checked.overrides,
            ...(idempotencyKey === null ? {} : { idempotencyKey }),
          },
        });
      }
      return inserted;
    });
    if (!created) return replay(replayOrConflict(row, requestDigest));
    c.header('Location', `/v2/releases/${row.id}`);
    return c.json({ ...releaseSummary(row), status: 'created' as const }, 201);
  })
  .openapi(validateRoute, async (c) => {
    const productVersion = releaseVersion(c.req.valid('param').productVersion);
    const acks = acknowledged(c.req.valid('query').acknowledgeOverride);
    const checked = await check(c, productVersion, c.req.valid('json'), acks);
    return c.json(
      {
        valid: true as const,
        productVersion,
        template: checked.templateRef,
        digest: checked.digest,
        acknowledgedOverrides: checked.overrides,
        problems: [],
      },
      200,
    );
  })
  .openapi(listRoute, async (c) => {
    const q = c.req.valid('query');
    const byId = q.createdBy !== undefined && z.guid().safeParse(q.createdBy).success;
    const { rows, hasMore } = await listReleases(c.get('deps').database.db, {
      limit: q.limit,
      ...(q.productVersion === undefined ? {} : { productVersion: q.productVersion }),
      ...(q.createdBy === undefined ? {} : byId ? { createdByTokenId: q.createdBy } : { createdBy: q.createdBy }),
      ...(q.cursor === undefined ? {} : { beforeSeq: positionId(await c.get('deps').reads.cursors.decode('releases', q.cursor), 0) }),
    });
    const last = rows.at(-1);
    const nextCursor = hasMore && last ? await c.get('deps').reads.cursors.encode('releases', [last.seq]) : null;
    const rejected = await rejectedAmong(c.get('deps').database.db, { releaseIds: rows.map((r) => r.id) });
    return c.json(
      { releases: rows.map((r) => ({ ...releaseSummary(r), ...(rejected.has(r.id) ? { rejected: true } : {}) })), nextCursor },
      200,
    );
  })
  .openapi(getRoute, async (c) => {
    const id = await resolveReleaseId(c.get('deps').database.db, c.req.valid('param').releaseId);
    const { database, reads } = c.get('deps');
    // The release itself never changes: its JSON (all but the closing brace) is cached, and only its mutable state
    // (where it has been promoted, its verification state per environment) is read, as JSON text built by
    // Postgres. One query either way.
    let head = reads.releases.get(id);
    let state: string;
    if (head === undefined) {
      const read = await readRelease(database.sql, { id });
      if (!read) throw new ApiError('RELEASE_NOT_FOUND', `No release ${id}`);
      head = JSON.stringify(releaseDetails(read.row)).slice(0, -1);
      reads.releases.set(id, head);
      state = read.stateJson;
    } else {
      state = await readReleaseState(database.sql, { id });
    }
    return sendJson(c, `${head},${state}}`, REVALIDATE);
  })
  .openapi(diffRoute, async (c) => {
    const refs = c.req.valid('param');
    const [a, b] = await Promise.all([
      resolveReleaseId(c.get('deps').database.db, refs.a),
      resolveReleaseId(c.get('deps').database.db, refs.b),
    ]);
    const [from, to] = await Promise.all([mustGet(c, a), mustGet(c, b)]);
    const diff = diffReleases(
      { descriptor: from.descriptor, overrides: from.overrides },
      { descriptor: to.descriptor, overrides: to.overrides },
    );
    return sendJson(c, JSON.stringify({ from: a, to: b, ...diff }), IMMUTABLE);
  });
