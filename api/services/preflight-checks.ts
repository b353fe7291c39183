// The shapes of a preflight report and the small helpers every check uses (api/services/preflight.ts runs
// them). A check's message is written for the platform engineer who has to fix it: what is wrong, where,
// and what to change. Messages never carry a secret or a URL with credentials: error texts from the clients
// are already redacted, and every message goes through scrubUrlCredentials once more.
import { z } from '@hono/zod-openapi';
import { scrubUrlCredentials } from '../../lib/secrets.js';

export const CHECK_TARGETS = ['git', 'argocd', 'kubernetes'] as const;
export const CHECK_STATUSES = ['ok', 'warning', 'error'] as const;
export type CheckTarget = (typeof CHECK_TARGETS)[number];
export type CheckStatus = (typeof CHECK_STATUSES)[number];

export const PreflightCheck = z
  .object({
    id: z.string().openapi({ description: 'Stable check id, e.g. `git.branch`, `argocd.application:dev-core`' }),
    target: z.enum(CHECK_TARGETS),
    status: z.enum(CHECK_STATUSES),
    cluster: z
      .string()
      .optional()
      .openapi({ description: 'Argo CD and Kubernetes checks of an environment spanning several clusters: the cluster checked' }),
    message: z.string(),
    diff: z
      .string()
      .optional()
      .openapi({ description: '`git.diff` only: unified diff the next promotion of the current release would make' }),
  })
  .openapi('PreflightCheck');
export type PreflightCheck = z.infer<typeof PreflightCheck>;

export const PreflightReport = z
  .object({
    environment: z.string(),
    status: z.enum(CHECK_STATUSES).openapi({ description: 'The worst status of all checks' }),
    releaseId: z.string().nullable().openapi({
      description: 'The release the Git checks render: the current one, else the latest release (null: no release yet)',
    }),
    currentReleaseId: z.string().nullable().openapi({ description: "The environment's current release (null: none deployed yet)" }),
    groups: z.array(z.string()).openapi({ description: "Groups checked: the rendered release's, else the default template's" }),
    checkedAt: z.string(),
    durationMs: z.number(),
    checks: z.array(PreflightCheck),
  })
  .openapi('PreflightReport');
export type PreflightReport = z.infer<typeof PreflightReport>;

export function check(
  target: CheckTarget,
  id: string,
  status: CheckStatus,
  message: string,
  extra: { diff?: string } = {},
): PreflightCheck {
  return { id, target, status, message: scrubUrlCredentials(message), ...extra };
}

export function worst(checks: readonly { status: CheckStatus }[]): CheckStatus {
  let rank = 0;
  for (const c of checks) rank = Math.max(rank, CHECK_STATUSES.indexOf(c.status));
  return CHECK_STATUSES[rank] ?? 'ok';
}

/** `ok`, `2 warnings`, `1 error, 3 warnings`: the one-line summary `npm start` prints. */
export function summaryOf(report: Pick<PreflightReport, 'checks'>): string {
  const errors = report.checks.filter((c) => c.status === 'error').length;
  const warnings = report.checks.filter((c) => c.status === 'warning').length;
  const parts = [
    ...(errors > 0 ? [`${errors} error${errors === 1 ? '' : 's'}`] : []),
    ...(warnings > 0 ? [`${warnings} warning${warnings === 1 ? '' : 's'}`] : []),
  ];
  return parts.length === 0 ? 'ok' : parts.join(', ');
}

/** A thrown value as one line, for messages (client errors are already redacted). */
export function reason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const line = text.split('\n')[0] ?? '';
  return scrubUrlCredentials(line.length > 300 ? `${line.slice(0, 300)}…` : line);
}

/** Scheme, host and port of a target URL (never user info, path or query). */
export function hostOf(url: string): string {
  try {
    const u = new URL(url);
    return u.protocol === 'file:' ? url : `${u.protocol}//${u.host}`;
  } catch {
    return '(unparsable URL)';
  }
}
