// The promotion rig of one sample GitOps repository (test/gitops-samples.ts) on real services: the sample's
// repository in a real bare Git repository with its Argo CD Applications on the simulator (restored from Git, so
// every environment runs the deployed release), the in-process API on the test file's database, and a real worker
// (createWorker + createActivities) on the run's Temporal dev server. The environments are configured through the
// API as a platform team would (PUT /v1/environments/:env with the sample's image mappings, which the API checks
// against Git), the sample's template is saved, and promotions go through POST /v2/releases/:id/promote.
//
// The samples keep their environment names (dev, staging, prod: they are in the repository's paths, namespaces
// and Application names), while the promotion workflow id is per environment (`promote:<env>`) and the Temporal
// server is shared by the whole test run: each test file therefore works in a Temporal namespace of its own
// (isolatedTemporalNamespace), which the API and the worker both use.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { inject } from 'vitest';
import type { Database } from '../db/client.js';
import type { Rig } from '../sim/rig.js';
import { createWorker } from '../worker.js';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../workflows/search-attributes.js';
import { apiHarness, type ApiHarness, type Loose } from './api-harness.js';
import { createSampleRig, type GitopsSample, type SampleName } from './gitops-samples.js';
import { silentLogger, uniqueName, workflowBundle } from './harness.js';

/** temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD (@temporalio/proto is not a direct dependency). */
const INDEXED_VALUE_TYPE_KEYWORD = 2;

/**
 * Registers a fresh Temporal namespace with the promotion workflows' search attributes (as the dev server
 * registers them in `default` at start) and returns its name. On the dev server it is usable at once.
 */
export async function isolatedTemporalNamespace(prefix: string): Promise<string> {
  const namespace = `${prefix}-${randomBytes(4).toString('hex')}`;
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  try {
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(CUSTOM_SEARCH_ATTRIBUTES.map((key) => [key.name, INDEXED_VALUE_TYPE_KEYWORD])),
    });
  } finally {
    await connection.close();
  }
  return namespace;
}

/** Deletes a namespace isolatedTemporalNamespace registered (a server reused across runs keeps no leftovers). */
export async function deleteTemporalNamespace(namespace: string): Promise<void> {
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  try {
    await connection.operatorService.deleteNamespace({ namespace });
  } finally {
    await connection.close();
  }
}

/** A promotion's terminal states, as GET …/deployment-history/:id shows them. */
const FINAL = ['succeeded', 'failed', 'awaiting_operator', 'aborted'];

export interface SamplePromotion {
  sample: GitopsSample;
  rig: Rig;
  h: ApiHarness;
  /** Saves the sample's environments (upstream chain in the sample's order) through the API; the responses. */
  configureEnvironments(): Promise<Array<{ status: number; body: Loose }>>;
  /** Creates the sample's next release through the API: its id and descriptor digest. */
  createNextRelease(): Promise<{ releaseId: string; descriptorDigest: string }>;
  /** Promotes through the API and waits until the promotion is final; its history record. */
  promote(releaseId: string, environment: string): Promise<Loose>;
  close(): Promise<void>;
}

export async function createSamplePromotion(
  database: Database,
  name: SampleName,
  shared: { namespace: string; connection: NativeConnection },
): Promise<SamplePromotion> {
  const dir = await mkdtemp(join(tmpdir(), `fc-sample-promo-${name}-`));
  const sfx = randomBytes(3).toString('hex').toUpperCase();
  let worker: { worker: Worker; done: Promise<void> } | undefined;
  let rig: Rig | undefined;
  const close = async () => {
    if (worker?.worker.getState() === 'RUNNING') worker.worker.shutdown();
    await worker?.done.catch(() => undefined);
    await rig?.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const built = await createSampleRig(name, { dataDir: join(dir, 'rig'), restoreFromGit: true, secretPrefix: `FC_SECRET_SAMPLE_${sfx}` });
    rig = built.rig;
    const { sample } = built;
    // The in-process API and the worker resolve the configs' `env:` references against process.env.
    Object.assign(process.env, rig.secrets);

    const taskQueue = uniqueName(`samples-${name}`);
    const h = await apiHarness(database, { TEMPORAL_TASK_QUEUE: taskQueue, TEMPORAL_NAMESPACE: shared.namespace });
    const issued = await h.call('POST', '/v1/tokens', { body: { name: `promoter-${sfx}`, role: 'promoter', scopes: ['*'] } });
    if (issued.status !== 201) throw new Error(`promoter token: ${issued.status} ${JSON.stringify(issued.body)}`);
    const promoter = (issued.body as { token: string }).token;

    const tpl = await h.call('PUT', '/v1/templates/default', { body: sample.template });
    if (tpl.status !== 201) throw new Error(`template: ${tpl.status} ${JSON.stringify(tpl.body)}`);

    worker = await (async () => {
      const w = await createWorker({
        connection: shared.connection,
        namespace: shared.namespace,
        taskQueue,
        deps: { database, logger: silentLogger, gitWorkDir: join(dir, 'git-work'), pollIntervalMs: 50 },
        workflowBundle: await workflowBundle(),
        options: { shutdownGraceTime: '2 seconds', shutdownForceTime: '5 seconds' },
      });
      return { worker: w, done: w.run() };
    })();

    const theRig = rig;
    return {
      sample,
      rig,
      h,
      async configureEnvironments() {
        const out = [];
        for (const [i, env] of sample.environments.entries()) {
          const config = theRig.environmentConfig(env, {
            displayOrder: i,
            upstream: i > 0 ? [sample.environments[i - 1] as string] : [],
            convergenceDeadlineSeconds: 60,
          });
          const body = { ...config, argocd: { ...config.argocd, applicationPattern: sample.argocd.applicationPattern } };
          out.push(await h.call('PUT', `/v1/environments/${env}`, { body }));
        }
        return out;
      },
      async createNextRelease() {
        const res = await h.call('POST', `/v2/releases/create/${sample.next.version}`, {
          body: sample.next.descriptor,
          token: h.tokens.releaser,
        });
        if (res.status !== 201) throw new Error(`release: ${res.status} ${JSON.stringify(res.body)}`);
        const body = res.body as { releaseId: string; digest: string };
        return { releaseId: body.releaseId, descriptorDigest: body.digest };
      },
      async promote(releaseId, environment) {
        const res = await h.call('POST', `/v2/releases/${releaseId}/promote`, { body: { environment }, token: promoter });
        if (res.status !== 202) throw new Error(`promote to ${environment}: ${res.status} ${JSON.stringify(res.body)}`);
        const path = `/v1/environments/${environment}/deployment-history/${(res.body as { deploymentId: number }).deploymentId}`;
        const deadline = Date.now() + 45_000;
        let last: Loose;
        while (Date.now() < deadline) {
          last = (await h.call('GET', path, { token: h.tokens.viewer })).body;
          if (FINAL.includes(last?.status)) return last;
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error(`the promotion to ${environment} did not finish: ${JSON.stringify(last)}`);
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
