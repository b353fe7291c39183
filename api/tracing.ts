// Server spans for API requests (docs/operations.md, "Tracing"): one span per request, named by method and route
// pattern (never the raw path: ids stay out of span names), continuing the caller's trace when the request carries
// a W3C `traceparent`. Workflow starts inside the request become its children (the Temporal client interceptor).
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { context, currentTracing, extractContext, SpanKind, SpanStatusCode, trace, tracer } from '../lib/tracing.js';

export function traceRequests(): MiddlewareHandler {
  return async (c, next) => {
    if (!currentTracing().enabled) return next();
    const parent = extractContext((name) => c.req.header(name));
    const span = tracer().startSpan(
      `${c.req.method}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': c.req.method } },
      parent,
    );
    try {
      await context.with(trace.setSpan(parent, span), () => next());
    } finally {
      const route = routePath(c, -1);
      span.updateName(`${c.req.method} ${route}`);
      span.setAttribute('http.route', route);
      span.setAttribute('http.response.status_code', c.res.status);
      if (c.res.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
  };
}
