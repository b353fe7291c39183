// A real worker in its own process, for crash tests: it exits (like a killed pod) the first time the
// activity test seam reaches CRASH_AT. Configured by environment: DATABASE_URL, TEMPORAL_ADDRESS,
// TASK_QUEUE, GIT_WORK_DIR, CRASH_AT.
import { NativeConnection } from '@temporalio/worker';
import { createWorker } from '../worker.js';
import { createDatabase } from '../db/client.js';
import { createLogger } from '../lib/logger.js';

const need = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};

const database = createDatabase(need('DATABASE_URL'));
const connection = await NativeConnection.connect({ address: need('TEMPORAL_ADDRESS') });
const crashAt = need('CRASH_AT');
const worker = await createWorker({
  connection,
  namespace: 'default',
  taskQueue: need('TASK_QUEUE'),
  deps: {
    database,
    logger: createLogger({ level: 'warn', name: 'worker-child' }),
    gitWorkDir: need('GIT_WORK_DIR'),
    pollIntervalMs: 50,
    testHooks: {
      at(point) {
        if (point === crashAt) {
          process.stdout.write(`crashing at ${point}\n`);
          process.exit(137);
        }
      },
    },
  },
});
process.stdout.write('worker ready\n');
await worker.run();
