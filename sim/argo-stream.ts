// Argo CD's application watch stream, `GET /api/v1/stream/applications` (argo-cd server/application Watch and
// argoproj/pkg grpc/http NewStreamForwarder): with `Accept: text/event-stream` one Server-Sent-Events message per
// event, `data: {"result":{"type":…,"application":{…}}} ` + blank line (Argo writes a space before the newline),
// newline-delimited JSON otherwise. On connect the current state is replayed as ADDED when no `resourceVersion`
// is given and always with `name=`; then one MODIFIED per change of the Application object (the controller calls
// `changed` on every resourceVersion bump, status-only changes included), DELETED when it goes. Filters as Argo's
// isApplicationPermitted: `projects`, `resourceVersion` (older versions dropped), `name` + `appNamespace`,
// `selector`. An event identical to the last one sent for that app is not sent again. Nothing matches → no event
// at all, and no response headers either (the gateway writes them with the first message). Keepalive comments
// (`:`) every 15 s. Faults (FaultState.stream): the endpoint answers 404/502 (an older proxy), the stream ends
// after N ms or N events (proxy idle timeout; cleanly or by resetting the connection), events are delayed.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Application } from '../integrations/argocd-schema.js';
import type { SimApp } from './argo-app.js';
import { applicationJson } from './argo-views.js';
import type { Scheduler } from './clock.js';
import type { FaultState } from './faults.js';
import { matches, parseSelector, type Requirement } from './label-selector.js';

export const STREAM_PATH = '/api/v1/stream/applications';
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';
/** Every Application change as the watch sees it, with the simulator's time (benchmarks, tests). */
export type AppChangeListener = (e: { type: WatchEventType; application: Application; atMs: number }) => void;

const ms = z.number().int().min(0).optional();
/** POST /sim/admin/faults/stream (sim/faults.ts StreamFault). */
export const StreamFaultBody = z.strictObject({
  unavailableStatus: z.number().int().min(400).max(599).optional(),
  closeAfterMs: ms,
  closeAfterEvents: z.number().int().min(1).optional(),
  abrupt: z.boolean().optional(),
  delayMs: ms,
});

const ARGO_NAMESPACE = 'argocd';
const KEEPALIVE_MS = 15_000;

interface Subscriber {
  res: ServerResponse;
  sse: boolean;
  name: string | undefined;
  appNamespace: string;
  projects: Set<string>;
  selector: Requirement[];
  minVersion: number;
  /** Last data sent per app name (the forwarder's dedupe). */
  sent: Map<string, string>;
  events: number;
  /** Writes in order, each after the delay fault (if any). */
  queue: Promise<void>;
  cancels: (() => void)[];
}

export class AppWatchHub {
  private readonly subs = new Set<Subscriber>();
  private readonly pending = new Set<SimApp>();
  private flushing = false;
  private readonly listeners = new Set<AppChangeListener>();

  constructor(
    private readonly sched: Scheduler,
    private readonly faults: FaultState,
    private readonly apps: () => SimApp[],
  ) {}

  /** The controller's hook: the Application object changed (coalesced per tick: one object update). */
  changed(app: SimApp): void {
    this.pending.add(app);
    if (this.flushing) return;
    this.flushing = true;
    queueMicrotask(() => {
      this.flushing = false;
      const apps = [...this.pending];
      this.pending.clear();
      for (const a of apps) this.publish('MODIFIED', a);
    });
  }

  deleted(app: SimApp): void {
    this.pending.delete(app);
    this.publish('DELETED', app);
  }

  onChange(listener: AppChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Ends every open stream (reset, close): like an Argo CD server restart. */
  closeAll(): void {
    for (const s of this.subs) this.end(s, false);
  }

  /** The unavailable fault, before authentication: an older proxy or Argo CD answers instead. True when answered. */
  unavailable(res: ServerResponse): boolean {
    const status = this.faults.stream?.unavailableStatus;
    if (!status) return false;
    const body = status === 404 ? '404 page not found\n' : `<html><body><h1>${status} Bad Gateway</h1></body></html>\n`;
    res.writeHead(status, {
      'Content-Type': status === 404 ? 'text/plain; charset=utf-8' : 'text/html',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(body);
    return true;
  }

  /** Serves one authenticated watch request (a bad selector throws SelectorError before anything is written). */
  serve(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const q = url.searchParams;
    const rv = q.get('resourceVersion') ?? '';
    const min = Number.parseInt(rv, 10);
    const s: Subscriber = {
      res,
      sse: req.headers.accept === 'text/event-stream',
      name: q.get('name') || undefined,
      appNamespace: q.get('appNamespace') || ARGO_NAMESPACE,
      projects: new Set([...q.getAll('projects'), ...q.getAll('project')].filter((p) => p !== '')),
      selector: parseSelector(q.get('selector') ?? undefined),
      minVersion: Number.isNaN(min) ? 0 : min,
      sent: new Map(),
      events: 0,
      queue: Promise.resolve(),
      cancels: [],
    };
    this.subs.add(s);
    res.on('close', () => this.drop(s));
    const fault = this.faults.stream;
    if (fault?.closeAfterMs !== undefined)
      s.cancels.push(this.sched.schedule(fault.closeAfterMs, () => this.end(s, fault.abrupt === true)));
    const keepalive = setInterval(() => {
      if (res.headersSent) res.write(':\n');
    }, KEEPALIVE_MS);
    keepalive.unref();
    s.cancels.push(() => clearInterval(keepalive));
    if (rv === '' || s.name !== undefined) {
      const current = this.apps()
        .filter((app) => this.permitted(s, app))
        .sort((a, b) => a.spec.name.localeCompare(b.spec.name));
      for (const app of current) this.send(s, 'ADDED', app, applicationJson(app));
    }
  }

  private publish(type: WatchEventType, app: SimApp): void {
    const json = applicationJson(app);
    for (const l of this.listeners) l({ type, application: json, atMs: this.sched.now() });
    for (const s of this.subs) this.send(s, type, app, json);
  }

  private permitted(s: Subscriber, app: SimApp): boolean {
    if (s.projects.size > 0 && !s.projects.has(app.spec.project)) return false;
    if (app.resourceVersion < s.minVersion) return false;
    if (s.name !== undefined && (app.spec.name !== s.name || s.appNamespace !== ARGO_NAMESPACE)) return false;
    return matches(s.selector, app.spec.labels);
  }

  private send(s: Subscriber, type: WatchEventType, app: SimApp, application: Application): void {
    if (!this.permitted(s, app)) return;
    const json = JSON.stringify({ result: { type, application } });
    if (s.sent.get(app.spec.name) === json) return;
    s.sent.set(app.spec.name, json);
    const data = s.sse ? `data: ${json} \n\n` : `${json}\n`;
    const delayMs = this.faults.stream?.delayMs ?? 0;
    s.queue = s.queue.then(async () => {
      if (delayMs > 0) await new Promise<void>((resolve) => s.cancels.push(this.sched.schedule(delayMs, resolve)));
      this.write(s, data);
    });
  }

  private write(s: Subscriber, data: string): void {
    if (!this.subs.has(s) || s.res.destroyed) return;
    if (!s.res.headersSent) {
      s.res.writeHead(200, {
        'Content-Type': s.sse ? 'text/event-stream' : 'application/json',
        'X-Content-Type-Options': 'nosniff',
      });
    }
    s.res.write(data);
    s.events++;
    const after = this.faults.stream?.closeAfterEvents;
    if (after !== undefined && s.events >= after) this.end(s, this.faults.stream?.abrupt === true);
  }

  /** Ends a stream: the response completes (a proxy's clean close) or the connection is reset (abrupt). */
  private end(s: Subscriber, abrupt: boolean): void {
    this.drop(s);
    if (abrupt || !s.res.headersSent) s.res.destroy();
    else s.res.end();
  }

  private drop(s: Subscriber): void {
    if (!this.subs.delete(s)) return;
    for (const c of s.cancels) c();
  }
}
