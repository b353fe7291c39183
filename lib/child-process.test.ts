import { describe, expect, it } from 'vitest';
import { BoundedRunError, runBounded } from './child-process.js';

const node = process.execPath;

describe('runBounded', () => {
  it('feeds stdin and returns stdout, stderr and the exit code', async () => {
    const script =
      "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{process.stdout.write(s.toUpperCase());process.stderr.write('warn');process.exit(3)})";
    const r = await runBounded(node, ['-e', script], { stdin: 'hello', timeoutMs: 20_000 });
    expect(r).toMatchObject({ code: 3, signal: null });
    expect(r.stdout.toString()).toBe('HELLO');
    expect(r.stderr.toString()).toBe('warn');
  });

  it('kills a child that outlives its timeout', async () => {
    const run = runBounded(node, ['-e', 'setInterval(() => {}, 1000)'], { timeoutMs: 300 });
    await expect(run).rejects.toMatchObject({ kind: 'timeout' });
  });

  it('kills a child whose output exceeds the bound', async () => {
    const run = runBounded(node, ['-e', "setInterval(() => process.stdout.write('x'.repeat(4096)), 1)"], {
      timeoutMs: 20_000,
      maxStdoutBytes: 64 * 1024,
    });
    await expect(run).rejects.toMatchObject({ kind: 'too-large' });
  });

  it('drains stderr unread when asked, and reports a binary that cannot start', async () => {
    const r = await runBounded(node, ['-e', "process.stderr.write('secret input')"], { timeoutMs: 20_000, maxStderrBytes: 0 });
    expect(r.stderr.length).toBe(0);
    const missing = await runBounded('/nonexistent/tool', [], { timeoutMs: 20_000 }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(BoundedRunError);
    expect(missing).toMatchObject({ kind: 'spawn', errno: 'ENOENT' });
  });
});
