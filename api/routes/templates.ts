// Template Service: versioned templates keyed by product version, resolved with semver fallback.
//   GET  /v1/releases/template/:productVersion          resolved template JSON (seed contract)   viewer
//   POST /v1/releases/template/:productVersion/render   fill placeholders → descriptor            releaser
//   PUT  /v1/templates/:key                             save a new revision                       admin (policy)
//   GET  /v1/templates                                  keys with their newest revision           viewer
//   GET  /v1/templates/:key                             newest revision of exactly this key       viewer
//   GET  /v1/templates/:key/revisions                   revision history of a key                 viewer
//   GET  /v1/templates/:key/revisions/:revision         one revision                              viewer
import { z } from '@hono/zod-openapi';
import { createRouter } from '../app.js';
import { ApiError, assertDocumentSize, problemsError } from '../errors.js';
import { actorOf } from '../auth.js';
import { documentedJson, protectedRoute } from '../openapi.js';
import { resolveOrThrow } from '../services/templates.js';
import { Descriptor, Template } from '../../domain/descriptor.js';
import { PlaceholderValues, renderTemplate } from '../../domain/render.js';
import { compareTemplateKeysDesc, isTemplateKey } from '../../domain/semver.js';
import { validateDescriptor, validateTemplate } from '../../domain/validate.js';
import { digestOf } from '../../domain/digest.js';
import { getTemplate, listTemplateKeys, listTemplateRevisions, saveTemplateRevision, type TemplateMeta } from '../../db/templates.js';
import { recordAudit } from '../../db/audit.js';
import { IMMUTABLE, sendJson } from '../http-cache.js';

const SEED_EXAMPLE = {
  core: { api: { Deployment: { containers: { api: { repo: 'org/api', tag: '<RELEASE_TAG>' } } } } },
  infra: { gateway: { Deployment: { containers: { gateway: { repo: 'org/gateway', tag: 'stable' } } } } },
};

export const TemplateBody = documentedJson(
  Template,
  'A release template: groups → services → one workload kind (Deployment, StatefulSet, DaemonSet, CronJob) → ' +
    '`containers` → `{ repo, tag }`. Tags may hold `<UPPER_SNAKE>` placeholders (moving values); literal tags are ' +
    'pinned. A workload may set `"optional": true` so descriptors may leave the service out.',
).openapi({ example: SEED_EXAMPLE });

const TemplateMetaSchema = z
  .object({
    key: z.string().openapi({ example: '2.4.0' }),
    revision: z.number().int(),
    digest: z.string(),
    createdBy: z.string(),
    createdAt: z.string(),
  })
  .openapi('TemplateRevisionMeta');

const TemplateRevision = TemplateMetaSchema.extend({ template: z.record(z.string(), z.unknown()) }).openapi('TemplateRevision');

export function templateMeta(row: TemplateMeta): z.infer<typeof TemplateMetaSchema> {
  return { key: row.key, revision: row.revision, digest: row.digest, createdBy: row.createdBy, createdAt: row.createdAt.toISOString() };
}

const ProductVersionParam = z.object({
  productVersion: z.string().openapi({ param: { name: 'productVersion', in: 'path' }, example: '2.4.1' }),
});
const KeyParam = z.object({ key: z.string().openapi({ param: { name: 'key', in: 'path' }, example: '2.4.0' }) });

function checkKey(key: string): string {
  if (!isTemplateKey(key)) {
    throw new ApiError(
      'INVALID_PRODUCT_VERSION',
      `"${key}" is not a template key: use "default" or a semantic version without build metadata`,
    );
  }
  return key;
}

const resolveRoute = protectedRoute('viewer', {
  method: 'get',
  path: '/v1/releases/template/{productVersion}',
  tags: ['templates'],
  summary: 'Resolve the template for a product version (X.Y.Z → X.Y.0 → default)',
  description:
    'Returns the template JSON itself. Which template was resolved is in the headers `X-Template-Key`, ' +
    '`X-Template-Revision` and `X-Template-Digest` (also the ETag) and in `Content-Location`. A pre-release ' +
    'tries its own key first, then its release version; build metadata is ignored.',
  request: { params: ProductVersionParam },
  responses: {
    200: { description: 'The resolved template', content: { 'application/json': { schema: TemplateBody } } },
  },
  errors: [400, 404],
});

const RenderBody = z
  .object({ values: PlaceholderValues.openapi({ example: { RELEASE_TAG: '1.4.2' } }) })
  .strict()
  .openapi('RenderRequest');
const RenderResult = z
  .object({
    descriptor: documentedJson(Descriptor, 'The rendered descriptor, ready for POST /v2/releases/create/{productVersion}'),
    template: z.object({ key: z.string(), revision: z.number().int(), digest: z.string() }),
    unusedValues: z.array(z.string()),
  })
  .openapi('RenderResult');

const renderRoute = protectedRoute('releaser', {
  method: 'post',
  path: '/v1/releases/template/{productVersion}/render',
  tags: ['templates'],
  summary: 'Render the resolved template into a descriptor from placeholder values',
  description:
    'Fills every `<PLACEHOLDER>` of the resolved template from `values`, drops `optional` markers, and validates ' +
    'the result against the template. A missing value or a result that breaks a rule is 422 with every problem.',
  request: { params: ProductVersionParam, body: { content: { 'application/json': { schema: RenderBody } }, required: true } },
  responses: {
    200: { description: 'The rendered descriptor', content: { 'application/json': { schema: RenderResult } } },
  },
  errors: [400, 404, 415, 422],
});

// Templates are policy: they name the repositories a release may use and pin values. Saving one needs `admin`,
// not the `releaser` role that CI tokens hold to create releases (security audit finding 14).
const putRoute = protectedRoute('admin', {
  method: 'put',
  path: '/v1/templates/{key}',
  tags: ['templates'],
  summary: 'Save a new revision of the template for a key (a semver or "default")',
  description:
    'Needs the admin role (templates are policy). Validates the template and appends a revision; a template over ' +
    '1 MiB of JSON or 1000 services is 413 DOCUMENT_TOO_LARGE, a tag with more than 8 placeholders 422. Saving a document identical (same canonical digest) to the ' +
    'newest revision creates nothing and answers 200 with that revision; a new revision answers 201.',
  request: { params: KeyParam, body: { content: { 'application/json': { schema: TemplateBody } }, required: true } },
  responses: {
    200: {
      description: 'Unchanged: the newest revision already has this content',
      content: { 'application/json': { schema: TemplateRevision } },
    },
    201: { description: 'A new revision', content: { 'application/json': { schema: TemplateRevision } } },
  },
  errors: [400, 413, 415, 422],
});

const listRoute = protectedRoute('viewer', {
  method: 'get',
  path: '/v1/templates',
  tags: ['templates'],
  summary: 'List template keys with their newest revision (newest version first, default last)',
  responses: {
    200: {
      description: 'Template keys',
      content: {
        'application/json': { schema: z.object({ templates: z.array(TemplateMetaSchema.extend({ revisions: z.number().int() })) }) },
      },
    },
  },
  errors: [],
});

const getRoute = protectedRoute('viewer', {
  method: 'get',
  path: '/v1/templates/{key}',
  tags: ['templates'],
  summary: 'The newest revision of exactly this key (no fallback)',
  request: { params: KeyParam },
  responses: {
    200: { description: 'The newest revision', content: { 'application/json': { schema: TemplateRevision } } },
  },
  errors: [400, 404],
});

const revisionsRoute = protectedRoute('viewer', {
  method: 'get',
  path: '/v1/templates/{key}/revisions',
  tags: ['templates'],
  summary: 'Revision history of a key, newest first',
  request: { params: KeyParam },
  responses: {
    200: {
      description: 'Revisions',
      content: { 'application/json': { schema: z.object({ key: z.string(), revisions: z.array(TemplateMetaSchema) }) } },
    },
  },
  errors: [400, 404],
});

const revisionRoute = protectedRoute('viewer', {
  method: 'get',
  path: '/v1/templates/{key}/revisions/{revision}',
  tags: ['templates'],
  summary: 'One revision of a key',
  request: {
    params: KeyParam.extend({
      revision: z.coerce
        .number()
        .int()
        .min(1)
        .max(2_147_483_647)
        .openapi({ param: { name: 'revision', in: 'path' }, example: 1 }),
    }),
  },
  responses: {
    200: {
      description: 'The revision (never changes: `Cache-Control: private, immutable`, with an ETag)',
      content: { 'application/json': { schema: TemplateRevision } },
    },
  },
  errors: [400, 404],
});

export const templateRoutes = createRouter()
  .openapi(resolveRoute, async (c) => {
    const row = await resolveOrThrow(c.var.deps.database.db, c.req.valid('param').productVersion);
    c.header('X-Template-Key', row.key);
    c.header('X-Template-Revision', String(row.revision));
    c.header('X-Template-Digest', row.digest);
    c.header('ETag', `"${row.digest}"`);
    c.header('Content-Location', `/v1/templates/${row.key}/revisions/${row.revision}`);
    return c.json(row.document as unknown, 200);
  })
  .openapi(renderRoute, async (c) => {
    const row = await resolveOrThrow(c.var.deps.database.db, c.req.valid('param').productVersion);
    const { values } = c.req.valid('json');
    const rendered = renderTemplate({ template: row.document, values });
    const template = { key: row.key, revision: row.revision, digest: row.digest };
    if (rendered.problems.length > 0) throw problemsError('RELEASE_INVALID', rendered.problems, { template });
    const checked = validateDescriptor({ descriptor: rendered.descriptor, template: row.document });
    if (!checked.ok) throw problemsError('RELEASE_INVALID', checked.problems, { template });
    return c.json({ descriptor: rendered.descriptor as unknown, template, unusedValues: rendered.unusedValues }, 200);
  })
  .openapi(putRoute, async (c) => {
    const key = checkKey(c.req.valid('param').key);
    assertDocumentSize('template', c.req.valid('json'));
    const checked = validateTemplate(c.req.valid('json'));
    if (!checked.ok) throw problemsError('TEMPLATE_INVALID', checked.problems);
    const actor = actorOf(c);
    const digest = digestOf(checked.template);
    const { row, created } = await c.var.deps.database.db.transaction(async (tx) => {
      const saved = await saveTemplateRevision(tx, {
        key,
        document: checked.template,
        digest,
        createdBy: actor.name,
        createdByTokenId: actor.tokenId,
      });
      if (saved.created) {
        await recordAudit(tx, {
          actor,
          action: 'template.revision.create',
          subjectType: 'template',
          subjectId: `${key}@${saved.row.revision}`,
          requestId: c.var.requestId,
          details: { key, revision: saved.row.revision, digest },
        });
      }
      return saved;
    });
    const body = { ...templateMeta(row), template: row.document as Record<string, unknown> };
    c.header('Location', `/v1/templates/${row.key}/revisions/${row.revision}`);
    return created ? c.json(body, 201) : c.json(body, 200);
  })
  .openapi(listRoute, async (c) => {
    const keys = await listTemplateKeys(c.var.deps.database.db);
    keys.sort((a, b) => compareTemplateKeysDesc(a.key, b.key));
    return c.json({ templates: keys.map((k) => ({ ...templateMeta(k), revisions: k.revisions })) }, 200);
  })
  .openapi(getRoute, async (c) => {
    const key = checkKey(c.req.valid('param').key);
    const row = await getTemplate(c.var.deps.database.db, { key });
    if (!row) throw new ApiError('TEMPLATE_NOT_FOUND', `No template saved under "${key}"`);
    return c.json({ ...templateMeta(row), template: row.document as Record<string, unknown> }, 200);
  })
  .openapi(revisionsRoute, async (c) => {
    const key = checkKey(c.req.valid('param').key);
    const rows = await listTemplateRevisions(c.var.deps.database.db, { key });
    if (rows.length === 0) throw new ApiError('TEMPLATE_NOT_FOUND', `No template saved under "${key}"`);
    return c.json({ key, revisions: rows.map(templateMeta) }, 200);
  })
  .openapi(revisionRoute, async (c) => {
    const { key: rawKey, revision } = c.req.valid('param');
    const key = checkKey(rawKey);
    const row = await getTemplate(c.var.deps.database.db, { key, revision });
    if (!row) throw new ApiError('TEMPLATE_NOT_FOUND', `No revision ${revision} of template "${key}"`);
    // A revision is append-only and never changes (a trigger rejects UPDATE): immutable, with an ETag.
    return sendJson(c, JSON.stringify({ ...templateMeta(row), template: row.document as Record<string, unknown> }), IMMUTABLE);
  });
