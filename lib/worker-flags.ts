// How the worker process is started in production: the V8 flags and the malloc settings of its memory budget
// (docs/benchmarks.md, "Worker memory": 100 promotions in flight in ≤ 300 MB). The image (Dockerfile: the malloc
// settings; compose uses the image and spells out the flags), the Helm chart and `npm run worker` spell them out;
// test/compose.test.ts and deploy/helm/flow-controller.test.ts check them, bench/process.ts starts its worker with them.
// A smaller young generation and V8's memory-saving heap growth; neither caps the heap (no heap-limit crash).
export const WORKER_NODE_FLAGS = ['--max-semi-space-size=4', '--optimize-for-size'] as const;
/**
 * glibc malloc's settings, as environment variables: two arenas instead of one per thread (Temporal's Rust core and
 * V8's helper threads), and blocks of 128 KiB and more mmapped and returned when freed at a fixed threshold (glibc
 * otherwise raises the threshold as big blocks are freed, up to 32 MiB, and keeps what they leave in its heap):
 * 263.6–265.1 MB instead of 316–335 MB with 100 promotions in flight (docs/benchmarks.md, "Big blocks returned to
 * the system").
 */
export const WORKER_MALLOC_ENV = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' } as const;
