// Notifications (docs/operations.md, "Notifications"): the vocabulary of notification types, the subscription
// schema (filters and a target: webhook, Slack incoming webhook, CDEvents), and the mapping from one row of the
// event log (docs/events.md) to zero or more notifications. Pure: the dispatcher (activities/notify-dispatch.ts)
// feeds it rows and, for deployment rows, the status of the deployment's previous event, so that a notification
// fires on a transition and not on every message change of the same status.
import { z } from 'zod';
import type { PromotionStatus } from './promotion.js';

export const NOTIFICATION_TYPES = [
  'promotion.started',
  'promotion.parked',
  'promotion.succeeded',
  'promotion.failed',
  'promotion.aborted',
  'approval.requested',
  'incident.opened',
  'incident.resolved',
  'freeze.overridden',
  'release.rejected',
  'environment.paused',
  'environment.resumed',
] as const;
export const NotificationType = z.enum(NOTIFICATION_TYPES);
export type NotificationType = z.infer<typeof NotificationType>;

/** A secret by reference (lib/secrets.ts resolves it at delivery time); the value is never stored. */
const SecretRef = z
  .string()
  .max(512)
  .regex(/^(env:[A-Za-z_][A-Za-z0-9_]*|file:\/\S+)$/, 'a secret reference is env:NAME or file:/absolute/path');

const HttpUrl = z
  .string()
  .max(2048)
  .regex(/^https?:\/\/\S+$/, 'must be an http:// or https:// URL');

export const NotificationTarget = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('webhook'),
      url: HttpUrl,
      /** The HMAC-SHA256 signing key (X-Flow-Signature). */
      secretRef: SecretRef,
    })
    .strict(),
  z
    .object({
      kind: z.literal('slack'),
      /** A Slack incoming-webhook URL is itself a credential: it is configured by reference only. */
      urlRef: SecretRef,
    })
    .strict(),
  z
    .object({
      kind: z.literal('cdevents'),
      url: HttpUrl,
      /** Optional: when set, the request is signed like a webhook. */
      secretRef: SecretRef.optional(),
    })
    .strict(),
]);
export type NotificationTarget = z.infer<typeof NotificationTarget>;
export type NotificationTargetKind = NotificationTarget['kind'];

export const SubscriptionFilters = z
  .object({
    /** Environment names; null or absent: every environment. Events of no environment (global) always match. */
    environments: z.array(z.string().min(1).max(63)).max(100).nullable().default(null),
    eventTypes: z.array(NotificationType).min(1).max(NOTIFICATION_TYPES.length),
  })
  .strict();
export type SubscriptionFilters = z.infer<typeof SubscriptionFilters>;

export const SubscriptionInput = z
  .object({
    name: z.string().trim().min(1).max(100),
    enabled: z.boolean().default(true),
    filters: SubscriptionFilters,
    target: NotificationTarget,
  })
  .strict();
export type SubscriptionInput = z.infer<typeof SubscriptionInput>;

/** What a notification says; the same for every subscription (bodies differ per target kind). */
export interface Notification {
  /** `<tx>.<id>:<type>`: the event's position and the notification type (one event can map to two types). */
  key: string;
  type: NotificationType;
  /** When the event was written (ISO). */
  at: string;
  environment: string | null;
  releaseId: string | null;
  deploymentId: number | null;
  summary: string;
  /** Extra fields of the event worth a receiver's while (status, step, reason, principal…). */
  details: Record<string, string | number | boolean | null>;
}

/** One row of the event log, as db/events.ts reads it. */
export interface EventLogRow {
  tx: number;
  id: number;
  at: Date;
  type: string;
  environment: string | null;
  releaseId: string | null;
  deploymentId: number | null;
  data: Record<string, unknown>;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

const STATUS_TYPES: Partial<Record<PromotionStatus, NotificationType>> = {
  awaiting_operator: 'promotion.parked',
  awaiting_approval: 'approval.requested',
  succeeded: 'promotion.succeeded',
  failed: 'promotion.failed',
  aborted: 'promotion.aborted',
  // Dropped from its queue by a newer release (newest-wins): it never ran; subscribers learn it ended.
  superseded: 'promotion.aborted',
};

function deploymentTypes(data: Record<string, unknown>, previousStatus: string | undefined): NotificationType[] {
  const status = str(data.status) as PromotionStatus | null;
  const types: NotificationType[] = [];
  if (data.created === true && str(data.breakGlassReason)) types.push('freeze.overridden');
  if (status === null || status === previousStatus) return types;
  // `running` again after a park (retry) or after the approval gate is no new start.
  if (status === 'running' && previousStatus !== 'awaiting_operator' && previousStatus !== 'running') types.push('promotion.started');
  const t = STATUS_TYPES[status];
  if (t) types.push(t);
  return types;
}

function summaryOf(type: NotificationType, row: EventLogRow): string {
  const d = row.data;
  const env = row.environment ?? 'every environment';
  const dep = row.deploymentId === null ? '' : ` (deployment #${row.deploymentId})`;
  const msg = str(d.message);
  switch (type) {
    case 'promotion.started':
      return `Promotion to ${env} started${dep}`;
    case 'promotion.parked':
      return `Promotion to ${env} parked for an operator${dep}${msg ? `: ${msg}` : ''}`;
    case 'promotion.succeeded':
      return `Promotion to ${env} succeeded${dep}`;
    case 'promotion.failed':
      return `Promotion to ${env} failed${dep}${msg ? `: ${msg}` : ''}`;
    case 'promotion.aborted':
      return `Promotion to ${env} ${str(d.status) === 'superseded' ? 'superseded in its queue' : 'aborted'}${dep}${msg ? `: ${msg}` : ''}`;
    case 'approval.requested':
      return `Promotion to ${env} awaits approval${dep}`;
    case 'incident.opened':
      return `Incident in ${env}: ${str(d.summary) ?? str(d.kind) ?? 'opened'}`;
    case 'incident.resolved':
      return `Incident in ${env} resolved: ${str(d.summary) ?? str(d.kind) ?? ''}`;
    case 'freeze.overridden':
      return `Freeze overridden (break-glass) for ${env}${dep}: ${str(d.breakGlassReason) ?? ''}`;
    case 'release.rejected':
      return `Release ${row.releaseId ?? ''} rejected: ${str(d.reason) ?? ''}`;
    case 'environment.paused':
      return `Promotions to ${env} paused: ${str(d.reason) ?? ''}`;
    case 'environment.resumed':
      return `Promotions to ${env} resumed`;
    default: {
      const never: never = type;
      return never;
    }
  }
}

const DETAIL_KEYS = ['status', 'step', 'message', 'startedBy', 'isRollback', 'breakGlassReason', 'kind', 'application', 'reason'];

function detailsOf(row: EventLogRow): Notification['details'] {
  const out: Notification['details'] = {};
  for (const k of DETAIL_KEYS) {
    const v = row.data[k];
    if (typeof v === 'string') out[k] = v.slice(0, 500);
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  }
  return out;
}

/**
 * The notifications an event-log row means. `previousStatus`: the status of the same deployment's previous
 * `deployment` event (undefined for its first), so a notification marks a status change only.
 */
export function notificationsOf(row: EventLogRow, previousStatus?: string): Notification[] {
  const d = row.data;
  let types: NotificationType[] = [];
  switch (row.type) {
    case 'deployment':
      types = deploymentTypes(d, previousStatus);
      break;
    case 'incident':
      if (str(d.resolvedAt)) types = ['incident.resolved'];
      else if (d.action === undefined || d.action === null) types = ['incident.opened'];
      break;
    case 'rejection':
      if (d.rejected === true) types = ['release.rejected'];
      break;
    case 'pause':
      types = [d.paused === true ? 'environment.paused' : 'environment.resumed'];
      break;
    default:
      break;
  }
  return types.map((type) => ({
    key: `${row.tx}.${row.id}:${type}`,
    type,
    at: row.at.toISOString(),
    environment: row.environment,
    releaseId: row.releaseId,
    deploymentId: row.deploymentId,
    summary: summaryOf(type, row).slice(0, 1000),
    details: detailsOf(row),
  }));
}

/** Whether a subscription's filters select a notification. */
export function matches(filters: SubscriptionFilters, n: Pick<Notification, 'type' | 'environment'>): boolean {
  if (!filters.eventTypes.includes(n.type)) return false;
  if (filters.environments === null || n.environment === null) return true;
  return filters.environments.includes(n.environment);
}

/** The UI page of a deployment (ui/src/main.ts hash routes), or of the environment's board entry. */
export function uiLinkOf(publicUrl: string, n: Pick<Notification, 'environment' | 'deploymentId' | 'releaseId'>): string {
  const base = `${publicUrl.replace(/\/+$/, '')}/ui/#/`;
  const seg = encodeURIComponent;
  if (n.environment && n.deploymentId !== null) return `${base}environments/${seg(n.environment)}/deployments/${n.deploymentId}`;
  if (n.releaseId) return `${base}releases/${seg(n.releaseId)}`;
  if (n.environment) return `${base}environments/${seg(n.environment)}/history`;
  return `${base}environments`;
}

export const DELIVERY_STATES = ['pending', 'delivered', 'failed-retrying', 'dead'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** A delivery error as it may be stored and shown: no URL query strings, no userinfo, bounded. */
export function redactDeliveryError(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[redacted]');
  out = out.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@').replace(/(https?:\/\/[^\s?#]*)[?#][^\s]*/gi, '$1?[redacted]');
  return out.slice(0, 500);
}
