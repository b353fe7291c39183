// Benchmark (not a test): a soak of repeated promotions, to see whether the worker's memory grows.
// For BENCH_SOAK_SECONDS (3600) the bench promotes a new release to one of BENCH_SOAK_ENVS (4) environments
// (round robin) every BENCH_SOAK_INTERVAL_MS (3000, start to start; one at a time), through the real API, and
// samples the worker process's VmRSS every BENCH_SOAK_SAMPLE_SECONDS (15). After a warm-up of
// BENCH_SOAK_WARMUP_SECONDS (default a quarter of the run, at most 600 s) it fits a least-squares line to the
// samples and reports the slope in MB/hour, plus the slope of each half (a leak keeps its slope; warm-up
// growth flattens). The result file is rewritten after every sample (`complete: false`), so a run cut short
// still leaves its numbers; SIGINT/SIGTERM end the loop early and write the final result with the duration
// actually run. The worker runs in its own process (bench/worker-process.ts) with the pre-built workflow
// bundle, as `npm start` and the image run it; BENCH_POLL_MS (1000, the production default) is its poll
// interval. Run with
//   nice -n 19 bash scripts/with-node.sh tsx bench/soak.ts
import { randomBytes } from 'node:crypto';
import { readMemory } from './process.js';
import { createRig, type Rig } from './rig.js';
import { machine, round1, sleep, writeResult } from './stats.js';

const SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 3600);
const INTERVAL_MS = Number(process.env.BENCH_SOAK_INTERVAL_MS ?? 3000);
const SAMPLE_S = Number(process.env.BENCH_SOAK_SAMPLE_SECONDS ?? 15);
const WARMUP_S = Number(process.env.BENCH_SOAK_WARMUP_SECONDS ?? Math.min(600, SECONDS / 4));
const ENVS = Number(process.env.BENCH_SOAK_ENVS ?? 4);
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 1000);
const TARGET = 'worker RSS over the soak shows no growth (slope after warm-up ≈ 0 MB/h, within noise)';
const TERMINAL = ['succeeded', 'failed', 'aborted', 'awaiting_operator'];

interface Sample {
  t: number;
  rssMb: number;
  promotions: number;
}

/** Least-squares slope of rss over t, in MB per hour (t in seconds). */
function slopeMbPerHour(samples: Array<{ t: number; rssMb: number }>): number | null {
  const n = samples.length;
  if (n < 3) return null;
  const mt = samples.reduce((a, s) => a + s.t, 0) / n;
  const mr = samples.reduce((a, s) => a + s.rssMb, 0) / n;
  let num = 0;
  let den = 0;
  for (const s of samples) {
    num += (s.t - mt) * (s.rssMb - mr);
    den += (s.t - mt) ** 2;
  }
  return den === 0 ? null : round1((num / den) * 3600);
}

async function promote(rig: Rig, releaseId: string, environment: string): Promise<{ status: string; ms: number }> {
  const t0 = performance.now();
  const res = await rig.call('POST', `/v2/releases/${releaseId}/promote`, { environment });
  if (res.status !== 202) return { status: `http-${res.status}`, ms: performance.now() - t0 };
  const id = Number(res.body.deploymentId);
  for (;;) {
    const [row] = await rig.database.sql<Array<{ status: string }>>`select status from deployments where id = ${id}`;
    if (row && TERMINAL.includes(row.status)) return { status: row.status, ms: performance.now() - t0 };
    if (performance.now() - t0 > 120_000) return { status: 'timeout', ms: performance.now() - t0 };
    await sleep(100);
  }
}

async function main(): Promise<void> {
  const sfx = randomBytes(3).toString('hex');
  const envs = Array.from({ length: ENVS }, (_, i) => `soak${i}-${sfx}`);
  const loadBefore = machine();
  const rig = await createRig({ fcEnvironments: envs, pollIntervalMs: POLL_MS, prebundle: true, workerSampleMs: 1000 });
  let stop = false;
  const onSignal = () => (stop = true);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const samples: Sample[] = [];
    const outcomes: Record<string, number> = {};
    const latencies: number[] = [];
    let promotions = 0;
    const started = performance.now();
    const elapsedS = () => (performance.now() - started) / 1000;
    const summary = (complete: boolean) => {
      const afterWarmup = samples.filter((s) => s.t >= WARMUP_S);
      const mid = afterWarmup.length ? (afterWarmup[0]!.t + afterWarmup[afterWarmup.length - 1]!.t) / 2 : 0;
      const rss = afterWarmup.map((s) => s.rssMb);
      return {
        benchmark: 'soak',
        date: new Date().toISOString(),
        complete,
        target: TARGET,
        machine: { node: loadBefore.node, cpus: loadBefore.cpus, loadavgBefore: loadBefore.loadavg, loadavgNow: machine().loadavg },
        parameters: {
          plannedSeconds: SECONDS,
          intervalMs: INTERVAL_MS,
          sampleSeconds: SAMPLE_S,
          warmupSeconds: WARMUP_S,
          environments: ENVS,
          pollIntervalMs: POLL_MS,
          simulatorTiming: 'INSTANT_TIMING',
          workerInChildProcess: true,
          prebundledWorkflowCode: true,
        },
        ranSeconds: Math.round(elapsedS()),
        promotions: {
          total: promotions,
          outcomes,
          latencyMsMean: latencies.length ? Math.round(latencies.reduce((a, b) => a + b, 0) / latencies.length) : null,
        },
        rssMb: {
          first: samples[0]?.rssMb ?? null,
          atWarmupEnd: afterWarmup[0]?.rssMb ?? null,
          last: samples[samples.length - 1]?.rssMb ?? null,
          minAfterWarmup: rss.length ? Math.min(...rss) : null,
          maxAfterWarmup: rss.length ? Math.max(...rss) : null,
        },
        slopeAfterWarmupMbPerHour: slopeMbPerHour(afterWarmup),
        slopeFirstHalfMbPerHour: slopeMbPerHour(afterWarmup.filter((s) => s.t <= mid)),
        slopeSecondHalfMbPerHour: slopeMbPerHour(afterWarmup.filter((s) => s.t > mid)),
        samples,
      };
    };
    const release = await rig.createRelease(`5.0.0`);
    let nextSample = 0;
    for (let i = 0; !stop && elapsedS() < SECONDS; i++) {
      const tickStart = performance.now();
      // A new release each time (a repeat of the same release would be a no-op promotion).
      const releaseId = i === 0 ? release : await rig.createRelease(`5.0.${i}`);
      const r = await promote(rig, releaseId, envs[i % ENVS]!);
      promotions++;
      outcomes[r.status] = (outcomes[r.status] ?? 0) + 1;
      if (r.status === 'succeeded') latencies.push(r.ms);
      if (elapsedS() >= nextSample) {
        const m = await readMemory(rig.worker.pid);
        if (!m) throw new Error(`worker process gone:\n${rig.worker.output().join('\n')}`);
        samples.push({ t: Math.round(elapsedS()), rssMb: round1(m.vmRssKb / 1024), promotions });
        nextSample = elapsedS() + SAMPLE_S;
        await writeResult('soak', summary(false));
      }
      await sleep(Math.max(0, INTERVAL_MS - (performance.now() - tickStart)));
    }
    const final = summary(true);
    console.log(JSON.stringify({ ...final, samples: `${samples.length} samples (in the file)` }, null, 2));
    const file = await writeResult('soak', final);
    process.stderr.write(
      `written to ${file}\n${promotions} promotions in ${final.ranSeconds} s, RSS ${final.rssMb.atWarmupEnd} → ${final.rssMb.last} MB, slope after warm-up ${final.slopeAfterWarmupMbPerHour} MB/h\n`,
    );
  } finally {
    await rig.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
