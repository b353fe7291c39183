// Shapes of the API responses the UI reads (see GET /openapi.json). Only what the screens use.

export interface TokenSelf {
  id: string;
  name: string;
  role: string;
  scopes: string[];
  createdAt: string;
  createdBy: string;
  revokedAt: string | null;
}

export interface DeploymentAction {
  action: string;
  by: string;
  at: string;
  comment?: string;
  step?: string;
}

export interface DeploymentSummary {
  id: number;
  environment: string;
  releaseId: string;
  previousReleaseId: string | null;
  isRollback: boolean;
  status: string;
  currentStep: string | null;
  message: string | null;
  reason: string | null;
  startedBy: string;
  commitSha: string | null;
  revertSha: string | null;
  workflowId: string;
  runId: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
  actions: DeploymentAction[];
}

export interface Step {
  name: string;
  status: string;
  attempts: number;
  startedAt: string | null;
  finishedAt: string | null;
  message: string | null;
  observation: Record<string, unknown> | null;
}

export interface Change {
  from: string;
  to: string;
}

export type DiffEntry =
  | { type: 'service-added' | 'service-removed'; path: string; group: string; service: string; kind: string }
  | { type: 'workload-kind-changed'; path: string; group: string; service: string; kind: Change }
  | { type: 'container-added' | 'container-removed'; path: string; group: string; service: string; container: string; repo: string; tag: string }
  | { type: 'image-changed'; path: string; group: string; service: string; container: string; repo: Change | null; tag: Change | null };

export interface OverrideChange {
  path: string;
  change: 'added' | 'removed' | 'changed';
  from: { templateValue: string; value: string } | null;
  to: { templateValue: string; value: string } | null;
}

export interface ReleaseDiff {
  identical: boolean;
  changes: DiffEntry[];
  overrides: OverrideChange[];
}

export interface DeploymentDetails extends DeploymentSummary {
  steps: Step[];
  changes: ReleaseDiff | null;
  statusUrl: string;
}

export interface LiveApp {
  name: string;
  group: string;
  sync: string | null;
  health: string | null;
  revision: string | null;
  releaseId: string | null;
  matchesCurrentRelease: boolean | null;
  error?: string;
}

export interface EnvironmentConfigView {
  displayOrder?: number;
  upstream?: string[];
  protected?: boolean;
  approvalsRequired?: number;
}

export interface EnvironmentView {
  name: string;
  config: EnvironmentConfigView & Record<string, unknown>;
  currentReleaseId: string | null;
  currentDeploymentId: number | null;
  lastDeployment: DeploymentSummary | null;
  live: LiveApp[] | null;
  updatedAt: string;
}

export interface Override {
  path: string;
  templateValue: string;
  value: string;
}

export interface ReleaseSummary {
  releaseId: string;
  productVersion: string;
  template: { key: string; revision: number };
  digest: string;
  acknowledgedOverrides: Override[];
  createdBy: { name: string; tokenId: string };
  createdAt: string;
}

export interface ReleaseEnvironment {
  environment: string;
  deploymentId: number;
  status: string;
  isRollback: boolean;
  current: boolean;
  startedBy: string;
  createdAt: string;
  finishedAt: string | null;
  statusUrl: string;
}

export interface ReleaseDetails extends ReleaseSummary {
  descriptor: Record<string, unknown>;
  idempotencyKey: string | null;
  environments: ReleaseEnvironment[];
}

export interface PromotionAccepted {
  deploymentId: number;
  environment: string;
  releaseId: string;
  workflowId: string;
  status: string;
  isRollback: boolean;
  statusUrl: string;
}

export interface RenderResult {
  descriptor: Record<string, unknown>;
  template: { key: string; revision: number; digest: string };
  unusedValues: string[];
}
