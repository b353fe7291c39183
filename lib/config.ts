// Process configuration: one zod schema over the environment, parsed once at start-up.
// Every entry point (API, worker, `npm start`) calls loadConfig() and passes the typed Config down. The
// only other settings read from process.env are low-level switches of one module each, never needed in
// normal operation: FC_GIT_RUNNER=off (gitops/git-runner.ts: run git in-process instead of in the
// forked runner), TEMPORAL_CLI_PATH (dev/temporal-dev-server.ts: the `temporal` binary), and the migration
// CLI's MIGRATION_DATABASE_URL / FC_APP_DB_PASSWORD (dev/migrate-cli.ts: migrate as the owner, then give the
// least-privilege application role its password; docker-compose.yml). The
// simulator (sim/main.ts) has its own SIM_* schema, the benchmarks their BENCH_* knobs. Secret
// references (`env:NAME`) are resolved by lib/secrets.ts; which ones may be (FC_SECRET_ENV_PREFIX,
// FC_SECRETS_DIR) and which hosts targets may name (FC_ALLOWED_HOSTS) is configured here: targetPolicyOf().
import { z } from 'zod';
import { DEFAULT_SECRET_ENV_PREFIX, DEFAULT_SECRETS_DIR, validHostPattern, type TargetPolicy } from '../domain/target-policy.js';
import { DEFAULT_ORPHAN_GRACE_SECONDS } from '../domain/orphan.js';

const port = z.coerce.number().int().min(1).max(65535);
const postgresUrl = z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// or postgresql:// URL');

export const ConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(3000),
  /** Unset: `npm start` uses 127.0.0.1:5432 if it answers, else an embedded Postgres under FC_DATA_DIR. */
  DATABASE_URL: postgresUrl.optional(),
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^\s:/]+:\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:7233')
    .default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('flow-controller'),
  TEMPORAL_UI_PORT: port.default(8233),
  /** Where the web UI links to the Temporal Web UI (default: the API's host on TEMPORAL_UI_PORT). */
  TEMPORAL_UI_URL: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * OpenTelemetry (lib/tracing.ts): the OTLP/HTTP endpoint spans are exported to (`<endpoint>/v1/traces`). Unset:
   * no tracing. OTEL_SERVICE_NAME names the process (default flow-controller-api / -worker / flow-controller).
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  OTEL_SERVICE_NAME: z.string().min(1).max(100).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  FC_DATA_DIR: z.string().min(1).default('.data'),
  /** Bootstrap admin token; hashed on first use like any other token. */
  FLOW_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(5 * 1024 * 1024),
  /** How long API calls wait for a worker to answer a Temporal update/query before answering 503. */
  WORKER_RESPONSE_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /** Activity timeouts of promotion steps: quick steps, Git steps, and the convergence wait's heartbeat. */
  PROMOTION_STEP_TIMEOUT_SECONDS: z.coerce.number().int().min(1).default(60),
  PROMOTION_GIT_TIMEOUT_SECONDS: z.coerce.number().int().min(1).default(120),
  PROMOTION_HEARTBEAT_TIMEOUT_SECONDS: z.coerce.number().int().min(1).default(30),
  /** A `pending` record without a run id older than this whose workflow is not running is orphaned and failed. */
  PROMOTION_ORPHAN_GRACE_SECONDS: z.coerce.number().int().min(1).default(DEFAULT_ORPHAN_GRACE_SECONDS),
  /** How often the worker's schedule sweeps orphaned records in every environment (0: no schedule). */
  PROMOTION_ORPHAN_SWEEP_SECONDS: z.coerce.number().int().min(0).default(60),
  /** While a sync window blocks a promotion step, how often it checks again at most (it also checks when the window should open). */
  PROMOTION_SYNC_WINDOW_RECHECK_SECONDS: z.coerce.number().int().min(1).default(300),
  /**
   * Worker bounds (worker.ts workerTuningOf): activities and local activities running at once, workflow tasks
   * processed at once, and workflow executions kept in the sticky cache (evicted ones are replayed from history
   * on their next task). The SDK's cache default grows with the heap limit (thousands); these keep the worker's
   * memory flat whatever the number of promotions in flight.
   */
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).max(10_000).default(100),
  WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: z.coerce.number().int().min(1).max(10_000).default(50),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).max(1000).default(20),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(2).max(100_000).default(250),
  /**
   * The worker's HTTP server (lib/metrics-server.ts: /metrics, /livez, /readyz): port (0: no server) and bind host.
   * The Temporal SDK's own metrics are served by its exporter on a free loopback port and appended to /metrics.
   */
  WORKER_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  WORKER_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  /** When set, GET /metrics on the API requires `Authorization: Bearer <METRICS_TOKEN>` (docs/security.md). */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /**
   * Continuous monitoring (docs/verification-and-monitoring.md): `on` starts each environment's monitor workflow
   * when the worker starts and when the environment is created or changed; `off` starts none (running ones go on).
   */
  MONITOR_START: z.enum(['on', 'off']).default('on'),
  /**
   * Slots of the monitors' own worker (`<TEMPORAL_TASK_QUEUE>-monitor`, in the worker process): each monitored
   * environment holds one with its long-running watch activity. Above the number of monitored environments.
   */
  MONITOR_WORKER_ACTIVITIES: z.coerce.number().int().min(1).max(10_000).default(500),
  /** Where Flow Controller's web UI is reached by people (links in notifications): scheme, host, port, optional path. */
  FC_PUBLIC_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:3000'),
  /**
   * Notifications (docs/operations.md, "Notifications"): `on` starts the dispatcher workflow when the worker starts
   * (idempotent: one per task queue), `off` starts none. How often an idle dispatcher reads the event log again.
   */
  NOTIFY_DISPATCH: z.enum(['on', 'off']).default('on'),
  NOTIFY_POLL_MS: z.coerce.number().int().min(100).max(60_000).default(1000),
  /** Per-request timeout of a delivery, and its retries: exponential backoff (x2) from the first to the longest interval, then dead. */
  NOTIFY_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(120).default(10),
  NOTIFY_RETRY_INITIAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
  NOTIFY_RETRY_MAX_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(1800),
  NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(1000).default(20),
  /**
   * Deliveries run on their own task queue (`<TEMPORAL_TASK_QUEUE>-notify`), served by a second worker in the worker
   * process with at most this many requests in flight, so receivers that hang never take a promotion's activity
   * slot. 0: deliveries share the promotions' task queue and worker.
   */
  NOTIFY_WORKER_ACTIVITIES: z.coerce.number().int().min(0).max(1000).default(10),
  /** The convergence wait and the monitors follow Argo CD's application watch streams (`on`), or only poll (`off`). */
  ARGOCD_WATCH: z.enum(['on', 'off']).default('on'),
  /** Per-request timeout of the worker's Kubernetes reads (well below the heartbeat timeout). */
  KUBE_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /**
   * The environments board's live view (GET /v1/environments[/:env], live=true): per-request timeout towards
   * Argo CD and Kubernetes, how long one fetch is shared by all viewers, and application reads in flight at most.
   */
  LIVE_STATUS_TIMEOUT_MS: z.coerce.number().int().min(100).default(2000),
  LIVE_STATUS_CACHE_TTL_MS: z.coerce.number().int().min(0).default(3000),
  LIVE_STATUS_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
  /**
   * How long an API process trusts a token lookup it made (0: every request reads the database). A revocation
   * through this process takes effect at once; through another API process within this many milliseconds.
   */
  TOKEN_CACHE_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(5000),
  /** GET /v1/events: streams open at once per API process (more: 503), and how long one stream lasts before the client resumes. */
  EVENTS_MAX_STREAMS: z.coerce.number().int().min(1).max(10_000).default(200),
  EVENTS_MAX_STREAM_SECONDS: z.coerce.number().int().min(10).max(86_400).default(3600),
  /** Streams read the event log on every notification and at least this often (events held back by an older open transaction). */
  EVENTS_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  /** Memory for the immutable part of release reads (serialized JSON), least recently used evicted first. */
  RELEASE_CACHE_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .default(32 * 1024 * 1024),
  /** JSON file of environments (`{ "environments": { "<name>": EnvironmentConfig } }`) upserted at start. */
  FC_ENVIRONMENTS_FILE: z.string().min(1).optional(),
  /** `npm start` runs the Argo CD/Kubernetes simulator sandbox: `auto` (default) unless FC_ENVIRONMENTS_FILE is set, `on`, `off`. */
  FC_SANDBOX: z.enum(['auto', 'on', 'off']).default('auto'),
  /** `env:` secret references may only name variables starting with this prefix. */
  FC_SECRET_ENV_PREFIX: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a non-empty variable-name prefix, e.g. FC_SECRET_')
    .default(DEFAULT_SECRET_ENV_PREFIX),
  /** `file:` secret references may only name regular files under this absolute directory (symlinks resolved). */
  FC_SECRETS_DIR: z
    .string()
    .regex(/^(\/[^/\0]+)+\/?$/, 'must be an absolute directory other than /')
    .refine((d) => !d.split('/').some((s) => s === '.' || s === '..'), 'must not contain "." or ".." segments')
    .default(DEFAULT_SECRETS_DIR),
  /**
   * Comma-separated hosts Flow Controller may contact for Argo CD, Kubernetes and Git: `host`, `*.domain`,
   * `[v6]`, each optionally `:port`. Empty (default) allows every host.
   */
  FC_ALLOWED_HOSTS: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((h) => h.trim())
        .filter((h) => h !== ''),
    )
    .refine((hosts) => hosts.every(validHostPattern), 'must be comma-separated host, *.domain or host:port patterns')
    .default([]),
});
export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parse the environment; throws ConfigError naming every missing or malformed variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Treat empty strings as unset so `FOO= npm start` behaves like no FOO at all.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = ConfigSchema.safeParse(cleaned);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((issue) => {
      const name = issue.path.join('.') || '(environment)';
      const value = cleaned[name];
      const shown = value === undefined ? ' is missing' : `="${redact(name, value)}"`;
      return `${name}${shown}: ${issue.message}`;
    }),
  );
}

/** A value as an error may show it: secrets masked, and a URL's userinfo (DATABASE_URL's password) too. */
function redact(name: string, value: string): string {
  if (/TOKEN|PASSWORD|SECRET/i.test(name)) return '***';
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[\s\S]*@/i, '$1***@');
}

/** The installation's policy on environment targets (domain/target-policy.ts), from the configuration. */
export function targetPolicyOf(config: Pick<Config, 'FC_SECRET_ENV_PREFIX' | 'FC_SECRETS_DIR' | 'FC_ALLOWED_HOSTS'>): TargetPolicy {
  return {
    secretEnvPrefix: config.FC_SECRET_ENV_PREFIX,
    secretsDir: config.FC_SECRETS_DIR.replace(/\/+$/, ''),
    allowedHosts: config.FC_ALLOWED_HOSTS,
  };
}
