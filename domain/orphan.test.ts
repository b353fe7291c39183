import { describe, expect, it } from 'vitest';
import { orphanReason } from './orphan.js';

const now = new Date('2026-12-01T12:00:00Z');
const ago = (s: number) => new Date(now.getTime() - s * 1000);

describe('orphanReason', () => {
  it('a record without a run is judged only after the grace period from its request', () => {
    expect(orphanReason({ id: 1, runId: null, createdAt: ago(10) }, { state: 'not-found' }, now, 60)).toBeNull();
    expect(orphanReason({ id: 1, runId: null, createdAt: ago(120) }, { state: 'not-found' }, now, 60)).toMatch(/never started/);
  });

  it('a record that waited in a queue counts from when it left the queue (its last update), not from its request', () => {
    const dequeued = { id: 2, runId: null, createdAt: ago(3600), queuedAt: ago(3600), updatedAt: ago(5) };
    expect(orphanReason(dequeued, { state: 'running', deploymentId: 1 }, now, 60)).toBeNull();
    expect(orphanReason({ ...dequeued, updatedAt: ago(90) }, { state: 'not-found' }, now, 60)).toMatch(/never started/);
  });
});
