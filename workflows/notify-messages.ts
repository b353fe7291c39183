// The notification workflows' public surface (workflows/notify.ts): inputs, results, settings and start options.
// Sandbox-safe and free of workflow logic, so the worker, the activities (the dispatcher starts deliveries) and the
// API (redelivery) import this module rather than the workflow bodies. Inputs carry ids and numbers only.

/** Delivery settings from the configuration (NOTIFY_*, FC_PUBLIC_URL): the worker passes them to the activities. */
export interface NotifySettings {
  publicUrl: string;
  timeoutSeconds: number;
  retry: DeliveryRetry;
}

export interface DeliveryRetry {
  initialSeconds: number;
  maxIntervalSeconds: number;
  maxAttempts: number;
}

export const DEFAULT_NOTIFY_SETTINGS: NotifySettings = {
  publicUrl: 'http://127.0.0.1:3000',
  timeoutSeconds: 10,
  retry: { initialSeconds: 10, maxIntervalSeconds: 1800, maxAttempts: 20 },
};

/** The settings from the configuration (lib/config.ts keys; typed structurally: workflow code does not import lib/). */
export function notifySettingsOf(config: {
  FC_PUBLIC_URL: string;
  NOTIFY_TIMEOUT_SECONDS: number;
  NOTIFY_RETRY_INITIAL_SECONDS: number;
  NOTIFY_RETRY_MAX_INTERVAL_SECONDS: number;
  NOTIFY_MAX_ATTEMPTS: number;
}): NotifySettings {
  return {
    publicUrl: config.FC_PUBLIC_URL,
    timeoutSeconds: config.NOTIFY_TIMEOUT_SECONDS,
    retry: {
      initialSeconds: config.NOTIFY_RETRY_INITIAL_SECONDS,
      maxIntervalSeconds: config.NOTIFY_RETRY_MAX_INTERVAL_SECONDS,
      maxAttempts: config.NOTIFY_MAX_ATTEMPTS,
    },
  };
}

export interface DispatcherInput {
  /** How long an idle dispatcher waits before reading the event log again. */
  pollMs: number;
  /** Batches per run before continue-as-new (default DISPATCHER_ITERATIONS_PER_RUN; tests use a few). */
  iterationsPerRun?: number;
  /** Events per batch and batches per activity (defaults 200 and 10). */
  batchSize?: number;
  maxBatches?: number;
  /** The cursor row's name (default `default`); a test or benchmark may run its own. */
  name?: string;
}

export interface DispatchInput {
  batchSize: number;
  maxBatches: number;
  name?: string;
}

export interface DispatchResult {
  events: number;
  deliveries: number;
  caughtUp: boolean;
}

export interface DeliveryInput {
  deliveryId: number;
  /** 0 for the dispatcher's delivery, n for the n-th manual redelivery (part of the workflow id). */
  redelivery: number;
  retry: DeliveryRetry;
  timeoutSeconds: number;
}

export interface DeliveryResult {
  outcome: 'delivered' | 'dead' | 'gone';
}

export interface PostInput {
  deliveryId: number;
  redelivery: number;
}

export type PostResult = { outcome: 'delivered'; statusCode: number | null } | { outcome: 'gone' };

export interface DeadLetterInput {
  deliveryId: number;
}

export function dispatcherWorkflowId(taskQueue: string, name = 'default'): string {
  return `notify-dispatcher:${taskQueue}:${name}`;
}

/** The task queue deliveries run on: their own (`-notify`) unless NOTIFY_WORKER_ACTIVITIES is 0. */
export function notifyTaskQueue(taskQueue: string, separate: boolean): string {
  return separate ? `${taskQueue}-notify` : taskQueue;
}

export function deliveryWorkflowId(deliveryId: number, redelivery: number): string {
  return redelivery === 0 ? `notify-delivery:${deliveryId}` : `notify-delivery:${deliveryId}:r${redelivery}`;
}

/** One delivery workflow per (delivery, redelivery): starting it twice is refused, so a dispatch read twice starts one. */
export function deliveryStartOptions(input: { deliveryId: number; redelivery: number; settings: NotifySettings; taskQueue: string }) {
  const args: [DeliveryInput] = [
    {
      deliveryId: input.deliveryId,
      redelivery: input.redelivery,
      retry: input.settings.retry,
      timeoutSeconds: input.settings.timeoutSeconds,
    },
  ];
  return {
    taskQueue: input.taskQueue,
    workflowId: deliveryWorkflowId(input.deliveryId, input.redelivery),
    args,
    workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
    staticSummary: `notification delivery ${input.deliveryId}`,
  };
}

/** The dispatcher: one per task queue and cursor (USE_EXISTING: starting it again is a no-op). */
export function dispatcherStartOptions(taskQueue: string, input: DispatcherInput) {
  const args: [DispatcherInput] = [input];
  return {
    taskQueue,
    workflowId: dispatcherWorkflowId(taskQueue, input.name),
    args,
    workflowIdConflictPolicy: 'USE_EXISTING' as const,
    workflowIdReusePolicy: 'ALLOW_DUPLICATE' as const,
    staticSummary: 'notification dispatcher',
    staticDetails: 'Reads the event log after its durable cursor and starts one delivery workflow per matching subscription',
  };
}
