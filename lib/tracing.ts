// OpenTelemetry tracing (docs/operations.md, "Tracing"). Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set: then one
// tracer provider per process exports spans by OTLP/HTTP (JSON) in batches, outbound fetch calls (Argo CD, HTTP
// checks, Prometheus) are traced by the undici instrumentation, and the Temporal interceptors
// (@temporalio/interceptors-opentelemetry) carry the context from the API's workflow start through the workflow to
// its activities. Off, every call here is a no-op: the API's tracer is the global no-op one.
import {
  context,
  INVALID_SPAN_CONTEXT,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, NoopSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { createRequire } from 'node:module';
import type { WorkerOptions } from '@temporalio/worker';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import { scrubUrlCredentials } from './secrets.js';

export const TRACER_NAME = 'flow-controller';

export interface TracingOptions {
  /** OTLP/HTTP base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`); spans go to `<endpoint>/v1/traces`. Unset: tracing off. */
  endpoint?: string | undefined;
  /** `service.name` of the spans (`OTEL_SERVICE_NAME`, else `flow-controller-<role>`). */
  serviceName: string;
}

export interface Tracing {
  enabled: boolean;
  /** The processor the Temporal workflow-span sink exports through (a no-op one when tracing is off). */
  spanProcessor: SpanProcessor;
  resource: Resource;
  /** Exports what is buffered (tests, shutdown). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

const disabled: Tracing = {
  enabled: false,
  spanProcessor: new NoopSpanProcessor(),
  resource: Resource.default(),
  flush: async () => {},
  shutdown: async () => {},
};

let current: Tracing = disabled;

/** The process's tracing (the disabled one until setupTracing() ran with an endpoint). */
export function currentTracing(): Tracing {
  return current;
}

/**
 * Sets up tracing for this process, once (a second call returns the first setup: `npm start` runs the API and the
 * worker in one process and both ask). Registers the global tracer provider, the W3C trace-context propagator and
 * the AsyncLocalStorage context manager.
 */
export function setupTracing(options: TracingOptions): Tracing {
  if (current.enabled || !options.endpoint) return current;
  const resource = Resource.default().merge(new Resource({ 'service.name': options.serviceName }));
  const exporter = new OTLPTraceExporter({ url: `${options.endpoint.replace(/\/+$/, '')}/v1/traces`, timeoutMillis: 10_000 });
  const spanProcessor = new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000, maxQueueSize: 4096 });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  // Outbound fetch (undici), inside a traced operation only. No headers are recorded (bearer tokens stay out of
  // spans) and the query string is dropped: a user's HTTP check may carry a key there.
  const undici = new UndiciInstrumentation({
    requireParentforSpans: true,
    startSpanHook: (request) => {
      const path = request.path.split('?')[0] ?? '';
      return { 'url.full': scrubUrlCredentials(`${request.origin}${path}`), 'url.path': path, 'url.query': '' };
    },
  });
  registerInstrumentations({ tracerProvider: provider, instrumentations: [undici] });
  current = {
    enabled: true,
    spanProcessor,
    resource,
    flush: () => provider.forceFlush(),
    shutdown: async () => {
      await provider.shutdown();
      current = disabled;
    },
  };
  return current;
}

export function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/** Runs fn in a span (a child of the active one); the span records an exception and an error status if fn throws. */
export async function withSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span) => Promise<T>,
  kind = SpanKind.INTERNAL,
): Promise<T> {
  if (!current.enabled) return fn(trace.wrapSpanContext(INVALID_SPAN_CONTEXT));
  return tracer().startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.recordException({ name: (err as Error)?.name ?? 'Error', message: scrubUrlCredentials(String((err as Error)?.message ?? err)) });
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw err;
    } finally {
      span.end();
    }
  });
}

/** The context carried by an incoming request's `traceparent`/`tracestate` headers. */
export function extractContext(header: (name: string) => string | undefined): ReturnType<typeof context.active> {
  return propagation.extract(context.active(), undefined, {
    keys: () => ['traceparent', 'tracestate'],
    get: (_carrier, key) => header(key),
  });
}

/**
 * The workflow interceptor modules of a bundle. With tracing on (lib/tracing.ts) the bundle includes the
 * OpenTelemetry one: spans for the workflow and the activities it schedules, the trace context carried in their
 * headers. Tracing off, the bundle has none, so it costs nothing. The interceptor issues no commands: histories
 * recorded either way replay with both bundles (test/replay.test.ts replays the corpus with each).
 */
export function workflowInterceptorModules(traced: boolean): string[] {
  return traced ? [createRequire(import.meta.url).resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')] : [];
}

/**
 * The worker's tracing wiring when tracing is on (lib/tracing.ts): activity spans, the trace context on workflows
 * it starts, the sink the workflow interceptor exports its spans through. Nothing when tracing is off.
 */
export function tracingWorkerOptions(): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  const tracing = currentTracing();
  if (!tracing.enabled) return {};
  return {
    interceptors: {
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
      client: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
    },
    sinks: { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) },
  };
}

export { context, trace, SpanKind, SpanStatusCode };
