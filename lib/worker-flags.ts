// How the worker process is started in production: the V8 flags and the malloc setting of its memory budget
// (docs/benchmarks.md, "Worker memory": 100 promotions in flight in ≤ 300 MB). The image (Dockerfile), compose,
// the Helm chart and `npm run worker` spell them out; deploy/helm/flow-controller.test.ts and bench/process.ts use these.
// A smaller young generation and V8's memory-saving heap growth; neither caps the heap (no heap-limit crash).
export const WORKER_NODE_FLAGS = ['--max-semi-space-size=4', '--optimize-for-size'] as const;
/** Two malloc arenas instead of one per thread (Temporal's Rust core and V8's helper threads). */
export const WORKER_MALLOC_ARENA_MAX = '2';
