// GET /v1/audit (admin): the audit trail, newest first, filtered, with keyset pagination.
import { z } from '@hono/zod-openapi';
import { createRouter } from '../app.js';
import { protectedRoute } from '../openapi.js';
import { listAudit } from '../../db/audit.js';
import { positionId, positionTimestamp } from '../cursor.js';

const AuditEvent = z
  .object({
    id: z.number().int(),
    at: z.string(),
    actor: z.string(),
    actorTokenId: z.string().nullable(),
    action: z.string(),
    subjectType: z.string(),
    subjectId: z.string(),
    requestId: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .openapi('AuditEvent');

const route = protectedRoute('admin', {
  method: 'get',
  path: '/v1/audit',
  tags: ['audit'],
  summary: 'List audit events (newest first: by time, then id)',
  request: {
    query: z.object({
      actor: z.string().max(256).optional().openapi({ description: 'Token name' }),
      actorTokenId: z.guid().optional(),
      action: z.string().max(256).optional().openapi({ example: 'release.create' }),
      subjectType: z.string().max(256).optional().openapi({ example: 'release' }),
      subjectId: z.string().max(256).optional(),
      since: z.iso.datetime({ offset: true }).optional(),
      until: z.iso.datetime({ offset: true }).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
      cursor: z.string().max(512).optional().openapi({ description: 'Opaque: the nextCursor of the previous page' }),
    }),
  },
  responses: {
    200: {
      description: 'A page of audit events',
      content: { 'application/json': { schema: z.object({ events: z.array(AuditEvent), nextCursor: z.string().nullable() }) } },
    },
  },
  errors: [400],
});

export const auditRoutes = createRouter().openapi(route, async (c) => {
  const q = c.req.valid('query');
  const { cursors } = c.var.deps.reads;
  const position = q.cursor === undefined ? undefined : await cursors.decode('audit', q.cursor);
  const { events, hasMore } = await listAudit(c.var.deps.database.db, {
    limit: q.limit,
    ...(q.actor === undefined ? {} : { actor: q.actor }),
    ...(q.actorTokenId === undefined ? {} : { actorTokenId: q.actorTokenId }),
    ...(q.action === undefined ? {} : { action: q.action }),
    ...(q.subjectType === undefined ? {} : { subjectType: q.subjectType }),
    ...(q.subjectId === undefined ? {} : { subjectId: q.subjectId }),
    ...(q.since === undefined ? {} : { since: new Date(q.since) }),
    ...(q.until === undefined ? {} : { until: new Date(q.until) }),
    ...(position === undefined ? {} : { before: { at: positionTimestamp(position, 0), id: positionId(position, 1) } }),
  });
  const last = events.at(-1);
  return c.json(
    {
      events: events.map(({ atText: _atText, ...e }) => ({ ...e, at: e.at.toISOString() })),
      nextCursor: hasMore && last ? await cursors.encode('audit', [last.atText, last.id]) : null,
    },
    200,
  );
});
