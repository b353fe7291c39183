// Injected faults: plain state consulted by the Argo CD server, the application controller and the
// cluster. Everything here can be cleared one by one or all at once (`clearAll`). The user-facing
// API (methods on the simulator object and the /sim/admin endpoints) lives in simulator.ts.

export type WorkloadFaultMode = 'degraded' | 'progressing';
export type ApiTarget = 'argo' | 'kube';

export interface HttpFault {
  /** Share of requests (0..1) answered with `errorStatus`. */
  errorRate: number;
  errorStatus: number;
  /** Share of requests (0..1) never answered (the client times out). */
  timeoutRate: number;
  /** Added to every request before it is handled. */
  latencyMs: number;
}

/** Unkindness of the application watch stream (sim/argo-stream.ts). */
export interface StreamFault {
  /** The stream endpoint answers this status instead (404: an older proxy or Argo CD; 502: a proxy without streaming). */
  unavailableStatus?: number;
  /** Each stream ends this long after it opened (a proxy's idle or read timeout). */
  closeAfterMs?: number;
  /** Each stream ends after this many events. */
  closeAfterEvents?: number;
  /** End by resetting the connection instead of completing the response. */
  abrupt?: boolean;
  /** Every event is written this much later than the change it reports. */
  delayMs?: number;
}

export interface SyncFailure {
  remaining: number;
  phase: 'Failed' | 'Error';
  message: string;
}

export class FaultState {
  workloads = new Map<string, WorkloadFaultMode>();
  syncFailure: SyncFailure | undefined;
  http: Record<ApiTarget, HttpFault | undefined> = { argo: undefined, kube: undefined };
  stream: StreamFault | undefined;
  /** App names (or '*') blocked by a sync window. */
  syncWindows = new Set<string>();
  /** Namespaces where the Kubernetes API answers 403 Forbidden. */
  kubeForbidden = new Set<string>();
  /**
   * API requests received, by `<api> <METHOD> <path>` (query left out), e.g. `argo POST /api/v1/session`.
   * Not a fault: `clearAll` keeps it; the simulator's `resetRequestCounts` (and `reset`) clears it.
   */
  readonly requestCounts = new Map<string, number>();
  private rng: () => number;

  constructor(private readonly seed = 42) {
    this.rng = mulberry32(seed);
  }

  static workloadKey(namespace: string, name: string): string {
    return `${namespace}/${name}`;
  }

  workloadMode(namespace: string, name: string): WorkloadFaultMode | undefined {
    return this.workloads.get(FaultState.workloadKey(namespace, name));
  }

  syncBlocked(app: string): boolean {
    return this.syncWindows.has('*') || this.syncWindows.has(app);
  }

  /** Consumes one sync failure if any is armed. */
  takeSyncFailure(): { phase: 'Failed' | 'Error'; message: string } | undefined {
    const f = this.syncFailure;
    if (!f || f.remaining <= 0) return undefined;
    f.remaining -= 1;
    if (f.remaining === 0) this.syncFailure = undefined;
    return { phase: f.phase, message: f.message };
  }

  countRequest(target: ApiTarget, method: string, url: string): void {
    const key = `${target} ${method} ${new URL(url, 'http://sim').pathname}`;
    this.requestCounts.set(key, (this.requestCounts.get(key) ?? 0) + 1);
  }

  /** Decides, deterministically from the seed, what happens to one API request. */
  decide(target: ApiTarget): { latencyMs: number; outcome: 'ok' | 'error' | 'timeout'; status: number } {
    const f = this.http[target];
    if (!f) return { latencyMs: 0, outcome: 'ok', status: 200 };
    const r = this.rng();
    if (r < f.timeoutRate) return { latencyMs: f.latencyMs, outcome: 'timeout', status: 0 };
    if (r < f.timeoutRate + f.errorRate) return { latencyMs: f.latencyMs, outcome: 'error', status: f.errorStatus };
    return { latencyMs: f.latencyMs, outcome: 'ok', status: 200 };
  }

  clearAll(): void {
    this.workloads.clear();
    this.syncFailure = undefined;
    this.http = { argo: undefined, kube: undefined };
    this.stream = undefined;
    this.syncWindows.clear();
    this.kubeForbidden.clear();
    this.rng = mulberry32(this.seed);
  }
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The faults as GET /sim/admin/state shows them. */
export function describeFaults(f: FaultState): Record<string, unknown> {
  return {
    workloads: Object.fromEntries(f.workloads),
    syncFailure: f.syncFailure ?? null,
    http: f.http,
    stream: f.stream ?? null,
    syncWindows: [...f.syncWindows],
    kubeForbidden: [...f.kubeForbidden],
  };
}
