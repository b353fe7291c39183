// The request bodies of a notification, one builder per target kind: Flow Controller's own webhook JSON, a
// Slack incoming-webhook message (Block Kit, with a button to the deployment's UI page), and a CDEvents v0.4
// event (https://cdevents.dev/docs/, spec v0.4.1). Pure: the delivery activity builds the body at every attempt
// from the stored notification, so no body (and no secret) ever travels through Temporal.
import { uiLinkOf, type Notification, type NotificationType } from './notifications.js';

export const WEBHOOK_SCHEMA_VERSION = 1;

export interface BodyContext {
  /** The delivery's idempotency key (X-Flow-Event-Id; the CDEvents context id). */
  eventId: string;
  /** FC_PUBLIC_URL: where the UI links point. */
  publicUrl: string;
  subscriptionId: string;
}

export interface WebhookBody {
  version: number;
  id: string;
  type: NotificationType;
  at: string;
  environment: string | null;
  releaseId: string | null;
  deploymentId: number | null;
  summary: string;
  link: string;
  details: Notification['details'];
  subscriptionId: string;
}

export function webhookBody(n: Notification, ctx: BodyContext): WebhookBody {
  return {
    version: WEBHOOK_SCHEMA_VERSION,
    id: ctx.eventId,
    type: n.type,
    at: n.at,
    environment: n.environment,
    releaseId: n.releaseId,
    deploymentId: n.deploymentId,
    summary: n.summary,
    link: uiLinkOf(ctx.publicUrl, n),
    details: n.details,
    subscriptionId: ctx.subscriptionId,
  };
}

const EMOJI: Record<NotificationType, string> = {
  'promotion.started': ':rocket:',
  'promotion.parked': ':warning:',
  'promotion.succeeded': ':white_check_mark:',
  'promotion.failed': ':x:',
  'promotion.aborted': ':no_entry_sign:',
  'approval.requested': ':raised_hand:',
  'incident.opened': ':rotating_light:',
  'incident.resolved': ':large_green_circle:',
  'freeze.overridden': ':fire_extinguisher:',
  'release.rejected': ':no_entry:',
  'environment.paused': ':double_vertical_bar:',
  'environment.resumed': ':arrow_forward:',
};

/** Slack mrkdwn escapes (&, <, >) so a message cannot inject links or mentions. */
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function slackBody(n: Notification, ctx: BodyContext): Record<string, unknown> {
  const text = `${EMOJI[n.type]} ${slackEscape(n.summary)}`;
  const facts = [
    n.environment ? `*Environment:* ${slackEscape(n.environment)}` : undefined,
    n.releaseId ? `*Release:* \`${n.releaseId}\`` : undefined,
    `*Event:* \`${n.type}\``,
  ].filter((f): f is string => f !== undefined);
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      { type: 'context', elements: facts.map((f) => ({ type: 'mrkdwn', text: f })) },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            text: { type: 'plain_text', text: n.deploymentId !== null ? 'Open deployment' : 'Open in Flow Controller' },
            url: uiLinkOf(ctx.publicUrl, n),
            action_id: 'open-flow-controller',
          },
        ],
      },
    ],
  };
}

export const CDEVENTS_SPEC_VERSION = '0.4.1';

/** A release as a package URL (the CDEvents `artifactId`): Flow Controller releases are generic packages. */
export function artifactIdOf(releaseId: string | null): string {
  return `pkg:generic/flow-controller-release@${releaseId ?? 'unknown'}`;
}

interface CdeventKind {
  type: string;
  subjectType: string;
}

/** The CDEvents type of each notification; types with no standard event use a custom `dev.cdeventsx` type. */
export function cdeventKindOf(n: Pick<Notification, 'type' | 'details'>): CdeventKind {
  switch (n.type) {
    case 'promotion.succeeded':
      return n.details.isRollback === true
        ? { type: 'dev.cdevents.service.rolledback.0.1.1', subjectType: 'service' }
        : { type: 'dev.cdevents.service.deployed.0.1.1', subjectType: 'service' };
    case 'promotion.started':
      return { type: 'dev.cdevents.pipelinerun.started.0.1.1', subjectType: 'pipelineRun' };
    case 'promotion.failed':
    case 'promotion.aborted':
      return { type: 'dev.cdevents.pipelinerun.finished.0.1.1', subjectType: 'pipelineRun' };
    case 'incident.opened':
      return { type: 'dev.cdevents.incident.detected.0.1.0', subjectType: 'incident' };
    case 'incident.resolved':
      return { type: 'dev.cdevents.incident.resolved.0.1.0', subjectType: 'incident' };
    default:
      // Custom events (spec v0.4 "Custom Events"): dev.cdeventsx.<tool>-<subject>.<predicate>.<version>.
      return { type: `dev.cdeventsx.flowcontroller-${n.type}.0.1.0`, subjectType: `flowcontroller-${n.type.split('.')[0]}` };
  }
}

export function cdeventBody(n: Notification, ctx: BodyContext): Record<string, unknown> {
  const kind = cdeventKindOf(n);
  const source = `${ctx.publicUrl.replace(/\/+$/, '')}/`;
  const link = uiLinkOf(ctx.publicUrl, n);
  const environment = { id: n.environment ?? 'all', source };
  let content: Record<string, unknown>;
  let subjectId: string;
  switch (kind.subjectType) {
    case 'service':
      subjectId = `${n.environment ?? 'all'}/${n.deploymentId ?? ''}`;
      content = { environment, artifactId: artifactIdOf(n.releaseId) };
      break;
    case 'pipelineRun':
      subjectId = `deployment-${n.deploymentId ?? 'unknown'}`;
      content = {
        pipelineName: `promote ${n.environment ?? ''}`.trim(),
        url: link,
        ...(n.type === 'promotion.started' ? {} : { outcome: n.type === 'promotion.failed' ? 'failure' : 'cancel', errors: n.summary }),
      };
      break;
    case 'incident':
      subjectId = `incident-${n.key}`;
      content = {
        description: n.summary,
        environment,
        ...(n.releaseId ? { artifactId: artifactIdOf(n.releaseId) } : {}),
        ...(typeof n.details.application === 'string' && n.details.application !== ''
          ? { service: { id: n.details.application, source } }
          : {}),
      };
      break;
    default:
      subjectId = n.key;
      content = {};
  }
  return {
    context: {
      version: CDEVENTS_SPEC_VERSION,
      id: ctx.eventId,
      source,
      type: kind.type,
      timestamp: n.at,
    },
    subject: { id: subjectId, source, type: kind.subjectType, content },
    customData: { flowController: { type: n.type, summary: n.summary, link, details: n.details } },
    customDataContentType: 'application/json',
  };
}
