// The API shapes the UI reads, named for the screens. Each one is an alias of ui/src/api-types.ts, which is
// generated from the API's OpenAPI document (`npm run gen:api-types`): when the API changes a shape the UI
// relies on, `tsc` fails here or in the screen that reads it, instead of the UI breaking at run time.
import type { components, paths } from './api-types.js';

type Schemas = components['schemas'];

/** The JSON body of a path's response (200 unless another status is given), as the OpenAPI document declares it. */
type ResponseBody<P extends keyof paths, M extends 'get' | 'post' | 'put' | 'delete', S extends number = 200> = paths[P][M] extends {
  responses: { [K in S]: { content: { 'application/json': infer Body } } };
}
  ? Body
  : never;

export type TokenSelf = ResponseBody<'/v1/tokens/self', 'get'>;

export type DeploymentSummary = Schemas['DeploymentSummary'];
export type DeploymentAction = DeploymentSummary['actions'][number];
export type DeploymentDetails = ResponseBody<'/v1/environments/{env}/deployment-history/{id}', 'get'>;
type DeploymentPageBody = ResponseBody<'/v1/environments/{env}/deployment-history', 'get'>;
export type DeploymentPage = DeploymentPageBody;
export type Step = DeploymentDetails['steps'][number];
/** The answer to approve / retry / abort (all three share it). */
export type OperatorActionResult = ResponseBody<'/v1/environments/{env}/deployment-history/{id}/approve', 'post'>;

/** Component and override changes between two releases; a deployment's `changes` and a comparison both have them. */
export type ReleaseDiff = NonNullable<DeploymentDetails['changes']>;
/** GET /v2/releases/{a}/diff/{b}: the changes plus which releases were compared. */
export type ReleaseComparison = ResponseBody<'/v2/releases/{a}/diff/{b}', 'get'>;
export type DiffEntry = ReleaseDiff['changes'][number];
export type OverrideChange = ReleaseDiff['overrides'][number];

/**
 * The settings of an environment's config the UI shows. The document types `config` as an open record (it is
 * the stored EnvironmentConfig with credentials as references), so the UI names the few keys it reads.
 */
export interface EnvironmentConfigView {
  displayOrder?: number;
  upstream?: string[];
  protected?: boolean;
  approvalsRequired?: number;
  autoPromote?: { from: string; when: string; soakSeconds: number };
}

type EnvironmentBody = ResponseBody<'/v1/environments/{env}', 'get'>;
export type EnvironmentView = Omit<EnvironmentBody, 'config'> & { config: EnvironmentConfigView & EnvironmentBody['config'] };
export type EnvironmentList = Omit<ResponseBody<'/v1/environments', 'get'>, 'environments'> & { environments: EnvironmentView[] };
export type LiveApp = NonNullable<EnvironmentView['live']>[number];

export type ReleaseSummary = Schemas['ReleaseSummary'];
export type ReleasePage = ResponseBody<'/v2/releases', 'get'>;
export type Override = ReleaseSummary['acknowledgedOverrides'][number];
export type ReleaseDetails = ResponseBody<'/v2/releases/{releaseId}', 'get'>;
export type ReleaseEnvironment = ReleaseDetails['environments'][number];
export type CreatedRelease = ResponseBody<'/v2/releases/create/{productVersion}', 'post', 201>;
export type TemplateRevision = ResponseBody<'/v1/templates/{key}/revisions/{revision}', 'get'>;
export type RenderResult = ResponseBody<'/v1/releases/template/{productVersion}/render', 'post'>;

export type AutoPromotion = ResponseBody<'/v1/environments/{env}/auto-promotion', 'get'>;

export type PromotionAccepted = ResponseBody<'/v2/releases/{releaseId}/promote', 'post', 202>;

export type PreflightReport = ResponseBody<'/v1/environments/{env}/preflight', 'post'>;
export type PreflightCheck = PreflightReport['checks'][number];

export type EnvironmentStatus = ResponseBody<'/v1/environments/{env}/status', 'get'>;
export type IncidentPage = ResponseBody<'/v1/environments/{env}/incidents', 'get'>;
export type Incident = IncidentPage['incidents'][number];

export type DoraMetrics = ResponseBody<'/v1/metrics/dora', 'get'>;
export type SubscriptionList = ResponseBody<'/v1/notifications/subscriptions', 'get'>;
export type Subscription = SubscriptionList['subscriptions'][number];
export type DeliveryPage = ResponseBody<'/v1/notifications/subscriptions/{id}/deliveries', 'get'>;
export type Delivery = DeliveryPage['deliveries'][number];

// Admin screens.
export type TokenInfo = Schemas['TokenInfo'];
export type TokenList = ResponseBody<'/v1/tokens', 'get'>;
export type IssuedToken = ResponseBody<'/v1/tokens', 'post', 201>;
export type AuditPage = ResponseBody<'/v1/audit', 'get'>;
export type AuditEvent = AuditPage['events'][number];
export type TemplateKeys = ResponseBody<'/v1/templates', 'get'>;
export type TemplateRevisions = ResponseBody<'/v1/templates/{key}/revisions', 'get'>;
