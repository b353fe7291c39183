// flowctl: the Flow Controller command line (docs/cli.md). Commands are declared with commander (a
// well-kept, dependency-free CLI framework: subcommands, options, help and usage errors for free); every request
// goes through the typed client in ./client.ts. Exit codes: ./exit-codes.ts.
import { Command, CommanderError, Option } from 'commander';
import { apiClient, call } from './client.js';
import { resolveConnection, store } from './config.js';
import { CliError, EXIT } from './exit-codes.js';
import { follow } from './events.js';
import { promote } from './promote.js';
import { registerResources } from './resources.js';
import type { Ctx, Globals, Io } from './context.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

/** Parses a duration such as `90s`, `15m`, `2h` or plain seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d{1,7})(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new CliError(`not a duration: ${text} (e.g. 90s, 15m, 2h)`, EXIT.usage);
  const ms = Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  // Node's timers take at most 2^31-1 ms (about 24.8 days); a longer one would fire at once.
  if (ms > MAX_TIMER_MS) throw new CliError(`duration too long: ${text} (at most 24 days)`, EXIT.usage);
  return ms;
}

export function buildProgram(io: Io): Command {
  const program = new Command('flowctl')
    .description('Flow Controller: promote immutable releases through environments')
    .version('0.1.0')
    .option('--server <url>', 'API URL (default: FLOWCTL_SERVER, then the stored login)')
    .option('--token <token>', 'API token (default: FLOWCTL_TOKEN, then the stored login)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

  const globals = () => program.opts<Globals>();
  const ctx: Ctx = {
    io,
    globals,
    connect: async () => {
      const g = globals();
      const c = await resolveConnection({ server: g.server, token: g.token }, io.env);
      if (!c.server || !c.token)
        throw new CliError(
          'not logged in: run `flowctl login --server URL --token TOKEN` (or set FLOWCTL_SERVER/FLOWCTL_TOKEN)',
          EXIT.usage,
        );
      const conn = { server: c.server, token: c.token };
      return { api: apiClient(conn), conn };
    },
    print: (data, text) => io.stdout.write(globals().output === 'json' ? `${JSON.stringify(data, null, 2)}\n` : `${text()}\n`),
  };

  program
    .command('login')
    .description('check the server URL and token (--server, --token or FLOWCTL_TOKEN) and store them (0600, user config dir)')
    .action(async () => {
      const g = globals();
      const server = g.server ?? io.env.FLOWCTL_SERVER;
      const token = g.token ?? io.env.FLOWCTL_TOKEN;
      if (!server || !token) throw new CliError('login needs --server URL and --token TOKEN (or FLOWCTL_SERVER/FLOWCTL_TOKEN)', EXIT.usage);
      const conn = { server: server.replace(/\/+$/, ''), token };
      const self = await call(() => apiClient(conn).GET('/v1/tokens/self'));
      const file = await store(conn, io.env);
      ctx.print(
        { server: conn.server, name: self.name, role: self.role, scopes: self.scopes, config: file },
        () => `logged in to ${conn.server} as ${self.name} (${self.role}); saved in ${file}`,
      );
    });

  program
    .command('promote')
    .description('promote a release to an environment')
    .argument('<release>', 'release id')
    .argument('<env>', 'environment')
    .option('--wait', 'follow the promotion until it succeeds, fails, aborts or parks')
    .option('--timeout <duration>', 'with --wait: give up waiting after this long (the promotion goes on)', '30m')
    .option('--reason <text>', 'why (shown in history and audit)')
    .option('--queue', "wait in the environment's queue when another promotion runs there (else exit 5)")
    .action(async (release: string, env: string, o: { wait?: boolean; timeout: string; reason?: string; queue?: boolean }) => {
      const { api, conn } = await ctx.connect();
      process.exitCode = await promote(api, conn, {
        releaseId: release,
        environment: env,
        reason: o.reason,
        queue: o.queue === true,
        wait: o.wait === true,
        timeoutMs: parseDuration(o.timeout),
        output: globals().output,
        out: io.stdout,
      });
    });

  program
    .command('events')
    .description('follow the live event stream (Ctrl-C to stop)')
    .option('--environment <env>')
    .option('--release <id>')
    .option('--deployment <id>')
    .action(async (o: { environment?: string; release?: string; deployment?: string }) => {
      const { conn } = await ctx.connect();
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort());
      const filter = {
        ...(o.environment ? { environment: o.environment } : {}),
        ...(o.release ? { releaseId: o.release } : {}),
        ...(o.deployment ? { deploymentId: Number(o.deployment) } : {}),
      };
      for await (const e of follow(conn, { filter, signal: stop.signal })) {
        if (globals().output === 'json') io.stdout.write(`${JSON.stringify(e.data)}\n`);
        else io.stdout.write(`${String(e.data.at)}  ${e.type.padEnd(15)} ${describeEvent(e.data)}\n`);
      }
    });

  registerResources(program, ctx);
  return program;
}

function describeEvent(d: Record<string, unknown>): string {
  const parts = [
    d.environment,
    d.deploymentId !== undefined ? `#${String(d.deploymentId)}` : undefined,
    d.step,
    d.status ?? d.state ?? d.kind,
    d.message ?? d.reason ?? d.summary,
  ];
  return parts.filter((p) => p !== undefined && p !== null && p !== '').join('  ');
}

/** Runs flowctl with `argv` (without node and script); returns the exit code. */
export async function run(argv: string[], io: Io): Promise<number> {
  process.exitCode = undefined;
  try {
    await buildProgram(io).parseAsync(argv, { from: 'user' });
    return Number(process.exitCode ?? EXIT.ok);
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof CliError) {
      io.stderr.write(`flowctl: ${err.message}\n`);
      return err.exitCode;
    }
    io.stderr.write(`flowctl: ${(err as Error).message}\n`);
    return EXIT.failed;
  }
}
