// The git runner: commands run in the helper process with their exit codes and output, timeouts kill,
// an abort rejects, a dead helper fails in-flight commands as transient and is replaced on next use.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gitRunnerProcess, runGit } from './git-runner.js';

const opts = async () => ({
  cwd: await mkdtemp(join(tmpdir(), 'fc-runner-')),
  env: { ...process.env, LC_ALL: 'C' },
  timeout: 10_000,
  maxBuffer: 1024 * 1024,
});

describe('git runner', () => {
  it('runs git in a separate small process and returns code and output', async () => {
    const o = await opts();
    const r = await runGit(['init', '--quiet', '.'], o);
    expect(r).toMatchObject({ code: 0, killed: false });
    const pid = gitRunnerProcess()?.pid;
    expect(pid).toBeTypeOf('number');
    expect(pid).not.toBe(process.pid);
    const bad = await runGit(['rev-parse', 'no-such-ref'], o);
    expect(bad.code).toBe(128);
    expect(bad.stderr).toMatch(/no-such-ref/);
  });

  it('kills a command at its timeout', async () => {
    const o = await opts();
    // A git alias that runs a shell command outlasting the timeout.
    const r = await runGit(['-c', 'alias.wait=!sleep 5', 'wait'], { ...o, timeout: 300 });
    expect(r.killed).toBe(true);
    expect(r.code).not.toBe(0);
  });

  it('rejects on abort', async () => {
    const o = await opts();
    const ac = new AbortController();
    const p = runGit(['-c', 'alias.wait=!sleep 5', 'wait'], { ...o, signal: ac.signal });
    setTimeout(() => ac.abort(new Error('cancelled by test')), 100);
    await expect(p).rejects.toThrow('cancelled by test');
  });

  it('fails in-flight commands when the runner dies, and starts a new one', async () => {
    const o = await opts();
    const inFlight = runGit(['-c', 'alias.wait=!sleep 5', 'wait'], o);
    const first = gitRunnerProcess();
    first?.kill('SIGKILL');
    const r = await inFlight;
    expect(r).toMatchObject({ code: -1, killed: true });
    const again = await runGit(['--version'], o);
    expect(again.code).toBe(0);
    expect(gitRunnerProcess()?.pid).not.toBe(first?.pid);
  });
});
