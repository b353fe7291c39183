// What every request handler can reach: the process-wide dependencies and per-request values.
import type { Client, Connection } from '@temporalio/client';
import { targetPolicyOf, type Config } from '../lib/config.js';
import { createSecretResolver } from '../lib/secrets.js';
import type { Logger } from '../lib/logger.js';
import { pingDatabase, type Database } from '../db/client.js';
import type { Actor } from '../domain/roles.js';
import { createTargetClients, type TargetClients } from '../integrations/targets.js';
import { promotionDeps, type PromotionServiceDeps } from './services/promotions.js';
import { createLiveStatus, type LiveStatusService } from './services/live-status.js';
import { preflightDepsOf, type PreflightDeps } from './services/preflight.js';
import { createCursorCodec, type CursorCodec } from './cursor.js';
import { createByteLru, createTokenCache, type ByteLru, type TokenCache } from './read-cache.js';
import { getInstallationId } from '../db/installation.js';
import { createEventHub, type EventHub } from './services/event-hub.js';

export interface AppDeps {
  config: Config;
  database: Database;
  temporal: { client: Client; connection: Connection };
  logger: Logger;
  /** Argo CD/Kubernetes clients for the live view (short timeouts: a page load waits for them). */
  targets: TargetClients;
  /** The live view shared by all viewers: cached briefly, single flight per environment, bounded fan-out. */
  live: LiveStatusService;
  /** The promotion service's dependencies; routes swap in the per-request logger. */
  promotions: PromotionServiceDeps;
  /** The preflight's clients and secret resolver (installation policy; longer timeouts than the live view). */
  preflight: PreflightDeps;
  /** The read path's per-process state: token lookups, immutable release JSON, the cursor signing key. */
  reads: ReadState;
  /** Wakes GET /v1/events streams when the event log grows (LISTEN fc_events while a stream is open). */
  events: EventHub;
}

export interface ReadState {
  tokens: TokenCache;
  /** Serialized immutable part of GET /v2/releases/:id, by release id (RELEASE_CACHE_BYTES). */
  releases: ByteLru;
  /** Gzipped bodies by ETag: a representation many clients poll (the board, a release) is compressed once. */
  gzipped: ByteLru<Uint8Array<ArrayBuffer>>;
  cursors: CursorCodec;
  /**
   * The board's entries (GET /v1/environments?live=false) as JSON, by environment, with the key of the rows they
   * were made from (db/prepared.ts readBoard): an entry is rebuilt only when its key changes. One per environment.
   */
  board: Map<string, { key: string; json: string }>;
}

const GZIP_CACHE_BYTES = 8 * 1024 * 1024;

export function createReadState(config: Config, database: Database): ReadState {
  return {
    tokens: createTokenCache(config.TOKEN_CACHE_TTL_MS),
    releases: createByteLru(config.RELEASE_CACHE_BYTES),
    gzipped: createByteLru(GZIP_CACHE_BYTES),
    cursors: createCursorCodec(() => getInstallationId(database.db)),
    board: new Map(),
  };
}

/** What a caller must provide; the rest is derived from it by completeAppDeps (tests may pass their own). */
export type BaseAppDeps = Omit<AppDeps, 'targets' | 'live' | 'promotions' | 'preflight' | 'reads' | 'events'> &
  Partial<Pick<AppDeps, 'targets' | 'live' | 'promotions' | 'preflight' | 'reads' | 'events'>>;

/** Per-request timeouts of the live view's clients (LIVE_STATUS_TIMEOUT_MS), for callers that build their own. */
export function liveTimeouts(config: Config): { argoTimeoutMs: number; kubeTimeoutMs: number } {
  return { argoTimeoutMs: config.LIVE_STATUS_TIMEOUT_MS, kubeTimeoutMs: config.LIVE_STATUS_TIMEOUT_MS };
}

export function completeAppDeps(base: BaseAppDeps): AppDeps {
  const targets = base.targets ?? liveTargetClients(base.config);
  const live =
    base.live ??
    createLiveStatus(targets, {
      cacheTtlMs: base.config.LIVE_STATUS_CACHE_TTL_MS,
      concurrency: base.config.LIVE_STATUS_CONCURRENCY,
      // Login, the application read and the workload list, each bounded by the timeout, plus slack.
      deadlineMs: 3 * base.config.LIVE_STATUS_TIMEOUT_MS + 500,
      logger: base.logger,
    });
  return {
    ...base,
    targets,
    live,
    promotions: base.promotions ?? promotionDeps(base),
    preflight: base.preflight ?? preflightDepsOf(base.config, base.database, base.logger),
    reads: base.reads ?? createReadState(base.config, base.database),
    events: base.events ?? createEventHub(base.database, base.logger, { pollMs: base.config.EVENTS_POLL_MS }),
  };
}

/**
 * The live view's clients: secrets resolved under the installation's policy (restricted references, allowed
 * hosts only), so a viewer's GET can only ever send a configured credential to an allowed host.
 */
export function liveTargetClients(config: Config, env?: Record<string, string | undefined>): TargetClients {
  const policy = targetPolicyOf(config);
  return createTargetClients({
    secrets: createSecretResolver({ ...policy, ...(env ? { env } : {}) }),
    allowedHosts: policy.allowedHosts,
    ...liveTimeouts(config),
  });
}

/**
 * Per-request values. Hot read paths use `c.get('deps')` rather than `c.var.deps`: Hono's `c.var` builds a new
 * object from all variables on every access.
 */
export interface AppEnv {
  Variables: {
    deps: AppDeps;
    requestId: string;
    logger: Logger;
    /** The authenticated caller; set by the guards in api/auth.ts on protected routes only. */
    actor: Actor;
  };
}

export function healthChecks(deps: AppDeps): { postgres: () => Promise<void>; temporal: () => Promise<void> } {
  return {
    postgres: () => pingDatabase(deps.database.sql, 2000),
    temporal: async () => {
      await deps.temporal.connection.withDeadline(Date.now() + 2000, () => deps.temporal.connection.workflowService.getSystemInfo({}));
    },
  };
}
