// The Hono application: middleware (request id, logging, content-type, body limit, JSON parsing), the
// error model, the OpenAPI document and the API reference page. Routers are composed with app.route().
import { randomUUID } from 'node:crypto';
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ApiError, errorBody, validationError } from './errors.js';
import { completeAppDeps, type AppEnv, type BaseAppDeps } from './context.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { renderReferencePage } from './reference-page.js';
import { compression } from './compression.js';
import { lazyChild } from '../lib/logger.js';
import { traceRequests } from './tracing.js';
import { observeHttpRequest } from '../lib/metrics.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export const OPENAPI_INFO = {
  openapi: '3.1.0',
  info: {
    title: 'Flow Controller API',
    version: '1.0.0',
    description:
      'The release bus for Kubernetes: versioned templates, immutable releases identified by UUID, and ' +
      'promotions through Git and Argo CD orchestrated by Temporal. Every error has the shape ' +
      '`{ "error": { "code", "message", "requestId" } }`.',
  },
};

/** Creates a router whose zod validation failures become VALIDATION_FAILED errors in the shared shape. */
export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        throw validationError(result.error.issues);
      }
      return undefined;
    },
  });
}

function isJsonContentType(value: string | undefined): boolean {
  if (!value) return false;
  const type = value.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

export function createApp(base: BaseAppDeps, routers: Array<[string, OpenAPIHono<AppEnv>]> = []): OpenAPIHono<AppEnv> {
  const deps = completeAppDeps(base);
  const app = createRouter();
  // The request line has fixed fields (no token, no body: the path excludes the query), so it skips the redaction
  // every other line gets, which was two thirds of its cost (~11 µs of a ~17 µs line).
  const requestLog = deps.logger.child({}, { redact: [] });

  // First: the request's span covers everything below, including errors turned into responses.
  app.use('*', traceRequests());

  app.use('*', async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    c.set('deps', deps);
    c.set('requestId', requestId);
    c.set('logger', lazyChild(deps.logger, { requestId }));
    // Set before the response exists, so it is part of it from the start: setting a header on a finished
    // response makes Hono copy it into a new one (its body as a web stream), which costs more than the read.
    c.header('x-request-id', requestId);
    const started = performance.now();
    await next();
    if (!c.res.headers.has('x-request-id')) c.header('x-request-id', requestId);
    // By route pattern (`/v1/environments/:env`), never the raw path: bounded cardinality (lib/metrics.ts).
    observeHttpRequest({ method: c.req.method, route: c.req.routePath, status: c.res.status }, started);
    // The request line carries its bindings itself: no child logger is built for a request that logs nothing else.
    const actor = c.get('actor') as { name: string; tokenId: string } | undefined;
    requestLog.info(
      {
        requestId,
        ...(actor ? { actor: actor.name, tokenId: actor.tokenId } : {}),
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
      },
      'request',
    );
  });

  // gzip for large responses (api/compression.ts); routes that send a body with an ETag compress it themselves.
  app.use('*', compression());

  const limit = bodyLimit({
    maxSize: deps.config.BODY_LIMIT_BYTES,
    onError: () => {
      throw new ApiError('PAYLOAD_TOO_LARGE', `Request body exceeds ${deps.config.BODY_LIMIT_BYTES} bytes`);
    },
  });
  app.use('*', (c, next) => (BODY_METHODS.has(c.req.method) ? limit(c, next) : next()));

  // Read and parse a non-empty body once, up front: a wrong content type (415) or a syntax error (400) is
  // the caller's, never a 500 deeper down. Hono caches the body, so route validators read it again for free.
  app.use('*', async (c, next) => {
    if (!BODY_METHODS.has(c.req.method)) return next();
    const text = await c.req.text();
    if (text.length === 0) return next();
    if (!isJsonContentType(c.req.header('content-type'))) {
      throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json');
    }
    try {
      JSON.parse(text);
    } catch (err) {
      throw new ApiError('MALFORMED_JSON', `Request body is not valid JSON: ${(err as Error).message}`);
    }
    return next();
  });

  app.route('/', healthRoutes);
  app.route('/', metricsRoutes);
  for (const [prefix, router] of routers) app.route(prefix, router);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'API token (`Authorization: Bearer <token>`)',
  });
  app.doc31('/openapi.json', OPENAPI_INFO);
  app.get('/docs', (c) => {
    const spec = app.getOpenAPI31Document(OPENAPI_INFO);
    return c.html(renderReferencePage(spec as unknown as Parameters<typeof renderReferencePage>[0]));
  });

  app.notFound((c) =>
    c.json(errorBody('ROUTE_NOT_FOUND', `No route for ${c.req.method} ${c.req.path}`, c.var.requestId ?? randomUUID()), 404),
  );

  app.onError((err, c) => {
    const requestId = c.var.requestId ?? randomUUID();
    c.header('x-request-id', requestId);
    if (err instanceof ApiError) {
      return c.json(errorBody(err.code, err.message, requestId, err.details), err.status as ContentfulStatusCode);
    }
    if (err instanceof HTTPException) {
      const status = err.status;
      const code =
        status === 400 ? 'MALFORMED_JSON' : status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 401 ? 'UNAUTHENTICATED' : 'BAD_REQUEST';
      return c.json(errorBody(code, err.message || 'Bad request', requestId), status as ContentfulStatusCode);
    }
    (c.var.logger ?? deps.logger).error({ err }, 'unhandled error');
    return c.json(errorBody('INTERNAL', 'Internal server error', requestId), 500);
  });

  return app;
}
