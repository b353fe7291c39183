// Table-driven check of argocd-sync's idempotency: when is an application's operation already ours, so that a
// retried step does not sync again?
import { describe, expect, it } from 'vitest';
import type { Application } from '../integrations/argocd.js';
import { PROMOTION_INFO_NAME } from '../integrations/argocd-convergence.js';
import { isOurs } from './argocd-sync.js';

const SHA = 'a'.repeat(40);
const OTHER_SHA = 'b'.repeat(40);
const ID = '42';

const info = (value: string, name = PROMOTION_INFO_NAME) => [{ name, value }];
const operation = (revision: string, i?: Array<{ name: string; value: string }>) => ({ sync: { revision }, ...(i ? { info: i } : {}) });
const state = (
  phase: 'Running' | 'Succeeded' | 'Failed' | 'Error' | 'Terminating',
  revision: string | undefined,
  i?: Array<{ name: string; value: string }>,
) => ({
  operation: { sync: { revision: revision ?? '' }, ...(i ? { info: i } : {}) },
  phase,
  startedAt: '2026-01-01T00:00:00Z',
  ...(revision !== undefined ? { syncResult: { revision } } : {}),
});
const app = (o: { operation?: Application['operation']; operationState?: ReturnType<typeof state> }): Application => ({
  metadata: { name: 'prod-core' },
  spec: { destination: {} },
  ...(o.operation !== undefined ? { operation: o.operation } : {}),
  ...(o.operationState ? { status: { operationState: o.operationState } } : {}),
});

describe('isOurs', () => {
  const cases: Array<{ name: string; app: Application; ours: boolean }> = [
    { name: 'no operation and no history', app: app({}), ours: false },
    { name: 'operation pending: our sha and our promotion', app: app({ operation: operation(SHA, info(ID)) }), ours: true },
    { name: 'operation pending: our promotion, another sha', app: app({ operation: operation(OTHER_SHA, info(ID)) }), ours: false },
    { name: 'operation pending: our sha, another promotion', app: app({ operation: operation(SHA, info('41')) }), ours: false },
    { name: 'operation pending: our sha, no info', app: app({ operation: operation(SHA) }), ours: false },
    {
      name: 'operation pending: our value under another info name',
      app: app({ operation: operation(SHA, info(ID, 'sandbox')) }),
      ours: false,
    },
    {
      name: 'operation cleared (null), last state ours and succeeded',
      app: app({ operation: null, operationState: state('Succeeded', SHA, info(ID)) }),
      ours: true,
    },
    { name: 'last operation ours and still running', app: app({ operationState: state('Running', SHA, info(ID)) }), ours: true },
    { name: 'last operation ours and terminating', app: app({ operationState: state('Terminating', SHA, info(ID)) }), ours: true },
    { name: 'last operation ours but failed: sync again', app: app({ operationState: state('Failed', SHA, info(ID)) }), ours: false },
    { name: 'last operation ours but errored: sync again', app: app({ operationState: state('Error', SHA, info(ID)) }), ours: false },
    { name: 'last operation ours, another sha', app: app({ operationState: state('Succeeded', OTHER_SHA, info(ID)) }), ours: false },
    { name: 'last operation of another promotion', app: app({ operationState: state('Succeeded', SHA, info('41')) }), ours: false },
    { name: 'last operation without a sync result yet', app: app({ operationState: state('Running', undefined, info(ID)) }), ours: false },
    {
      name: "someone else's operation pending, ours finished before it",
      app: app({ operation: operation(OTHER_SHA, info('41')), operationState: state('Succeeded', SHA, info(ID)) }),
      ours: true,
    },
  ];
  it.each(cases)('$name', ({ app: a, ours }) => {
    expect(isOurs(a, SHA, ID)).toBe(ours);
  });
});

describe('isOurs on a multi-source app: the written sources’ revisions[]', () => {
  const sources = [
    { repoURL: 'https://charts.example.com', chart: 'c' },
    { repoURL: 'https://git.example.com/gitops.git', ref: 'values' },
  ];
  const multi = (o: { pending?: string[]; last?: string[]; phase?: 'Succeeded' | 'Failed' }): Application => ({
    metadata: { name: 'prod-core' },
    spec: { destination: {}, sources },
    ...(o.pending ? { operation: { sync: { revisions: o.pending, sources }, info: info(ID) } } : {}),
    ...(o.last
      ? {
          status: {
            operationState: {
              operation: { sync: { revisions: o.last }, info: info(ID) },
              phase: o.phase ?? 'Succeeded',
              startedAt: '2026-01-01T00:00:00Z',
              syncResult: { revision: '', revisions: o.last },
            },
          },
        }
      : {}),
  });
  it.each([
    { name: 'pending, written source at our sha', app: multi({ pending: ['1.0.0', SHA] }), ours: true },
    { name: 'pending, only the chart at our sha', app: multi({ pending: [SHA, OTHER_SHA] }), ours: false },
    { name: 'finished, written source at our sha', app: multi({ last: ['1.0.0', SHA] }), ours: true },
    { name: 'finished but failed', app: multi({ last: ['1.0.0', SHA], phase: 'Failed' }), ours: false },
    {
      name: 'a single revision is not read on a multi-source app',
      app: { ...multi({}), operation: operation(SHA, info(ID)) },
      ours: false,
    },
  ])('$name', ({ app: a, ours }) => {
    expect(isOurs(a, SHA, ID, [1])).toBe(ours);
  });
});
