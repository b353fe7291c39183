// Runs an environment's verification checks side by side inside one activity attempt: each check samples at its
// start and then every `intervalSeconds` until it has passed, failed, or `durationSeconds` is over (pure verdicts
// in domain/verification-checks.ts). The first failed check stops the others (`stopped`): the gate has failed.
// Sampling in the activity rather than on workflow timers keeps the workflow history to one activity per run of
// the gate, however many samples the checks take, and keeps resolved secrets out of Temporal entirely.
import type { ActivityDeps } from './deps.js';
import type { PromotionContext } from './promotion-context.js';
import { sampleCheck } from './verification-probes.js';
import { checkLabel, initialProgress, judgeSample, type CheckProgress } from '../domain/verification-checks.js';
import type { VerificationCheck } from '../domain/verification.js';

export interface ChecksReport {
  passed: boolean;
  checks: CheckProgress[];
  /** Passed: one line per check. Failed: the failed check, its verdict and last evidence. */
  message: string;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return signal.aborted ? Promise.reject(signal.reason as Error) : Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', done);
      resolve();
    }, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Runs `checks`; `progress` is updated in place after every sample (the caller heartbeats and records it).
 * Throws when `cancel` aborts (the activity was cancelled) or a check can never run (configuration).
 */
export async function runChecks(opts: {
  deps: ActivityDeps;
  ctx: PromotionContext;
  checks: readonly VerificationCheck[];
  cancel: AbortSignal;
  progress: CheckProgress[];
}): Promise<ChecksReport> {
  const stop = new AbortController();
  const signal = AbortSignal.any([opts.cancel, stop.signal]);
  const s = { deps: opts.deps, ctx: opts.ctx, signal };
  opts.progress.splice(0, opts.progress.length, ...opts.checks.map(initialProgress));
  const runOne = async (check: VerificationCheck, index: number): Promise<void> => {
    const startedAt = Date.now();
    let p = opts.progress[index] as CheckProgress;
    try {
      for (let k = 0; k < p.planned && p.outcome === 'running'; k++) {
        await sleep(startedAt + k * check.intervalSeconds * 1000 - Date.now(), signal);
        const sample = await sampleCheck(s, check);
        if (signal.aborted) break;
        p = judgeSample(check, p, sample);
        opts.progress[index] = p;
      }
      if (p.outcome === 'failed') stop.abort(new Error('another check failed'));
    } catch (err) {
      if (opts.cancel.aborted) throw err;
      if (!stop.signal.aborted) {
        stop.abort(err as Error);
        throw err;
      }
    }
    if (p.outcome === 'running')
      opts.progress[index] = { ...p, outcome: 'stopped', message: `stopped after ${p.samples} sample(s): another check failed` };
  };
  const results = await Promise.allSettled(opts.checks.map(runOne));
  if (opts.cancel.aborted) throw opts.cancel.reason as Error;
  const broken = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (broken) throw broken.reason as Error;
  const failed = opts.progress.find((p) => p.outcome === 'failed');
  if (failed) {
    const last = failed.evidence.at(-1);
    const others = opts.progress.filter((p) => p !== failed && p.outcome === 'failed').map((p) => p.name);
    return {
      passed: false,
      checks: opts.progress,
      message:
        `${checkLabel(failed)} failed: ${failed.message}` +
        (last?.body && !failed.message.includes(last.body) ? `; body: ${last.body}` : '') +
        (others.length ? `; also failed: ${others.join(', ')}` : ''),
    };
  }
  return {
    passed: true,
    checks: opts.progress,
    message: `${opts.progress.length} check(s) passed: ${opts.progress.map((p) => `${p.name} (${p.samples} sample(s))`).join(', ')}`,
  };
}
