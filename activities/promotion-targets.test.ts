// Failures of one cluster name it when the environment spans several, and keep what Temporal decides on (type,
// retryable or not); a single-cluster environment's failures read exactly as before. Pure: no activity context.
import { ApplicationFailure } from '@temporalio/activity';
import { describe, expect, it } from 'vitest';
import { ArgoCdError } from '../integrations/argocd.js';
import { SecretError } from '../lib/secrets.js';
import { FAILURE } from '../domain/promotion.js';
import { naming, onCluster } from './promotion-targets.js';

const several = { name: 'eu-2', several: true };
const single = { name: 'default', several: false };

describe('naming', () => {
  it.each<[string, unknown, { type: string | undefined; nonRetryable: boolean }]>([
    [
      'a transient Argo CD error stays retryable',
      new ArgoCdError({ status: 503, message: 'unavailable', retryable: true }),
      { type: FAILURE.argoCdTransient, nonRetryable: false },
    ],
    [
      'a 403 from Argo CD stays terminal',
      new ArgoCdError({ status: 403, message: 'permission denied', retryable: false }),
      { type: FAILURE.argoCd, nonRetryable: true },
    ],
    [
      'a secret that does not resolve is a configuration failure',
      new SecretError('env:FC_SECRET_X is not set'),
      { type: FAILURE.configuration, nonRetryable: true },
    ],
    [
      'a step failure keeps its type',
      ApplicationFailure.nonRetryable('no application for group core', FAILURE.configuration),
      { type: FAILURE.configuration, nonRetryable: true },
    ],
  ])('%s, and names the cluster', (_name, err, expected) => {
    const failure = naming(several, err);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure.message).toMatch(/^cluster eu-2: /);
    expect({ type: (failure as ApplicationFailure).type, nonRetryable: (failure as ApplicationFailure).nonRetryable }).toEqual(expected);
    // Single cluster: the message is the step's own, unprefixed.
    expect(naming(single, err).message).not.toMatch(/cluster/);
  });

  it('names the cluster once, and keeps a plain error’s name (Temporal reports it as the type)', () => {
    const once = naming(several, naming(several, new ArgoCdError({ status: 0, message: 'unreachable', retryable: true })));
    expect(once.message.match(/cluster eu-2: /g)).toHaveLength(1);
    const timeout = new Error('Argo CD read took too long');
    timeout.name = 'ReadTimeout';
    const named = naming(several, timeout);
    expect(named.name).toBe('ReadTimeout');
    expect(named.message).toBe('cluster eu-2: Argo CD read took too long');
  });

  it('onCluster rejects with the named failure', async () => {
    await expect(
      onCluster(several, () => Promise.reject(new ArgoCdError({ status: 404, message: 'application not found', retryable: false }))),
    ).rejects.toThrow(/^cluster eu-2: Argo CD: application not found \(HTTP 404\)$/);
  });
});
