// flowctl's resource commands: templates, releases, environments, history and operator actions. Each prints the
// API's JSON with --output json, or a short human summary.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { call } from './client.js';
import { CliError, EXIT } from './exit-codes.js';
import type { Ctx } from './context.js';

async function readJson(file: string): Promise<unknown> {
  const text =
    file === '-'
      ? await readStdin()
      : await readFile(file, 'utf8').catch(() => {
          throw new CliError(`cannot read ${file}`, EXIT.usage);
        });
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(`${file} is not JSON`, EXIT.usage);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const short = (id: string | null | undefined) => (id ? id.slice(0, 8) : '-');
const deploymentId = (text: string) => {
  if (!/^\d{1,15}$/.test(text)) throw new CliError(`not a deployment id: ${text}`, EXIT.usage);
  return Number(text);
};

export function registerResources(program: Command, ctx: Ctx): void {
  const template = program.command('template').description('release templates');
  template
    .command('get <key>')
    .description('the current template (JSON)')
    .action(async (key: string) => {
      const { api } = await ctx.connect();
      const t = await call(() => api.GET('/v1/templates/{key}', { params: { path: { key } } }));
      ctx.io.stdout.write(`${JSON.stringify(t, null, 2)}\n`);
    });
  template
    .command('put <key> <file>')
    .description('store a new revision from a JSON file (- for stdin)')
    .action(async (key: string, file: string) => {
      const { api } = await ctx.connect();
      const body = (await readJson(file)) as never;
      const t = await call(() => api.PUT('/v1/templates/{key}', { params: { path: { key } }, body }));
      ctx.print(t, () => `template ${key}: revision ${String((t as { revision?: number }).revision ?? '?')}`);
    });
  template
    .command('history <key>')
    .description('revisions of a template')
    .action(async (key: string) => {
      const { api } = await ctx.connect();
      const r = await call(() => api.GET('/v1/templates/{key}/revisions', { params: { path: { key } } }));
      ctx.print(r, () =>
        r.revisions.map((v) => `${String(v.revision).padStart(4)}  ${v.createdAt}  ${v.createdBy}  ${v.digest.slice(0, 12)}`).join('\n'),
      );
    });

  const release = program.command('release').description('immutable releases');
  release
    .command('create <version>')
    .description('create a release from a descriptor file, or from the template with --from-template --set KEY=VALUE')
    .option('--file <file>', 'descriptor JSON (- for stdin)')
    .option('--from-template', 'render the descriptor from the template of <version>')
    .option('--set <key=value...>', 'template values, e.g. RELEASE_TAG=1.4.2', [])
    .option('--idempotency-key <key>', 'a retried create with the same key returns the same release')
    .action(async (version: string, o: { file?: string; fromTemplate?: boolean; set: string[]; idempotencyKey?: string }) => {
      const { api } = await ctx.connect();
      if (!o.file === !o.fromTemplate) throw new CliError('give --file or --from-template (one of them)', EXIT.usage);
      let descriptor: unknown;
      if (o.fromTemplate) {
        const values = Object.fromEntries(
          o.set.map((kv) => {
            const i = kv.indexOf('=');
            if (i <= 0) throw new CliError(`--set wants KEY=VALUE, got ${kv}`, EXIT.usage);
            return [kv.slice(0, i), kv.slice(i + 1)];
          }),
        );
        const rendered = await call(() =>
          api.POST('/v1/releases/template/{productVersion}/render', { params: { path: { productVersion: version } }, body: { values } }),
        );
        descriptor = rendered.descriptor;
      } else {
        descriptor = await readJson(o.file as string);
      }
      const created = await call(() =>
        api.POST('/v2/releases/create/{productVersion}', {
          params: { path: { productVersion: version }, ...(o.idempotencyKey ? { header: { 'idempotency-key': o.idempotencyKey } } : {}) },
          body: descriptor as never,
        }),
      );
      ctx.print(created, () => `release ${created.releaseId} (${version})`);
    });
  release
    .command('list')
    .description('releases, newest first')
    .option('--version <productVersion>')
    .option('--limit <n>', 'at most this many', '20')
    .action(async (o: { version?: string; limit: string }) => {
      const { api } = await ctx.connect();
      const page = await call(() =>
        api.GET('/v2/releases', { params: { query: { limit: Number(o.limit), ...(o.version ? { productVersion: o.version } : {}) } } }),
      );
      ctx.print(page, () =>
        page.releases.map((r) => `${r.releaseId}  ${r.productVersion.padEnd(12)}  ${r.createdAt}  ${r.createdBy.name}`).join('\n'),
      );
    });
  release
    .command('show <id>')
    .description('one release and where it has been promoted')
    .action(async (id: string) => {
      const { api } = await ctx.connect();
      const r = await call(() => api.GET('/v2/releases/{releaseId}', { params: { path: { releaseId: id } } }));
      ctx.print(r, () =>
        [
          `${r.releaseId}  ${r.productVersion}  created ${r.createdAt} by ${r.createdBy.name}  digest ${r.digest.slice(0, 19)}`,
          ...r.environments.map((e) => `  ${JSON.stringify(e)}`),
        ].join('\n'),
      );
    });
  release
    .command('diff <a> <b>')
    .description('what changes from release a to release b')
    .action(async (a: string, b: string) => {
      const { api } = await ctx.connect();
      const d = await call(() => api.GET('/v2/releases/{a}/diff/{b}', { params: { path: { a, b } } }));
      ctx.print(d, () =>
        d.changes.length ? d.changes.map((c) => `${c.type}  ${c.group}/${c.service}  ${JSON.stringify(c)}`).join('\n') : 'no changes',
      );
    });

  for (const action of ['approve', 'reject', 'retry', 'abort'] as const) {
    const cmd = program
      .command(`${action} <env> <deployment>`)
      .description(action === 'reject' ? 'reject a promotion at its approval gate (--comment is the reason)' : `${action} a promotion`)
      .option('--comment <text>');
    if (action === 'retry') cmd.option('--from-step <step>', 'restart from this step');
    if (action === 'abort') cmd.option('--leave-git', 'keep the pushed commit (no revert)');
    cmd.action(async (env: string, id: string, o: { comment?: string; fromStep?: string; leaveGit?: boolean }) => {
      const { api } = await ctx.connect();
      const body = {
        ...(o.comment ? { comment: o.comment } : {}),
        ...(o.fromStep ? { fromStep: o.fromStep as never } : {}),
        ...(o.leaveGit ? { leaveGit: true } : {}),
      };
      const params = { path: { env, id: deploymentId(id) } };
      const r = await call(() =>
        action === 'approve'
          ? api.POST('/v1/environments/{env}/deployment-history/{id}/approve', { params, body })
          : action === 'reject'
            ? api.POST('/v1/environments/{env}/deployment-history/{id}/reject', { params, body })
            : action === 'retry'
              ? api.POST('/v1/environments/{env}/deployment-history/{id}/retry', { params, body })
              : api.POST('/v1/environments/{env}/deployment-history/{id}/abort', { params, body }),
      );
      ctx.print(r, () => `${action}: ${JSON.stringify(r)}`);
    });
  }

  program
    .command('history <env>')
    .description('deployment history of an environment, newest first')
    .option('--status <status>')
    .option('--limit <n>', 'at most this many', '20')
    .action(async (env: string, o: { status?: string; limit: string }) => {
      const { api } = await ctx.connect();
      const page = await call(() =>
        api.GET('/v1/environments/{env}/deployment-history', {
          params: { path: { env }, query: { limit: Number(o.limit), ...(o.status ? { status: o.status as never } : {}) } },
        }),
      );
      ctx.print(page, () =>
        page.deployments
          .map(
            (d) =>
              `${String(d.id).padStart(6)}  ${d.status.padEnd(17)}  ${short(d.releaseId)}  ${d.createdAt}  ${d.startedBy}${d.isRollback ? '  rollback' : ''}${d.message ? `  ${d.message}` : ''}`,
          )
          .join('\n'),
      );
    });

  const env = program.command('env').description('environments');
  env.command('list').action(async () => {
    const { api } = await ctx.connect();
    const r = await call(() => api.GET('/v1/environments'));
    ctx.print(r, () =>
      r.environments
        .map(
          (e) =>
            `${e.name.padEnd(16)} current ${short(e.currentReleaseId)}  last ${e.lastDeployment ? `${e.lastDeployment.id} ${e.lastDeployment.status}` : '-'}`,
        )
        .join('\n'),
    );
  });
  env.command('show <env>').action(async (name: string) => {
    const { api } = await ctx.connect();
    const r = await call(() => api.GET('/v1/environments/{env}', { params: { path: { env: name } } }));
    ctx.io.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  });
  env
    .command('status <env>')
    .description('current release, its verification, each application as the monitor sees it, open incidents')
    .action(async (name: string) => {
      const { api } = await ctx.connect();
      const r = await call(() => api.GET('/v1/environments/{env}/status', { params: { path: { env: name } } }));
      ctx.print(r, () =>
        [
          `${r.environment}: current ${r.currentRelease ? `${r.currentRelease.productVersion} ${r.currentRelease.id}` : 'none'}` +
            (r.verification ? `  ${r.verification.state}${r.verification.soakUntil ? ` until ${r.verification.soakUntil}` : ''}` : ''),
          ...r.applications.map((a) => `  ${a.application}  ${a.state}${a.problems.length ? `  ${a.problems.join('; ')}` : ''}`),
          ...r.openIncidents.map((i) => `  incident #${i.id} ${i.kind} ${i.application}: ${i.summary}`),
        ].join('\n'),
      );
    });
  env
    .command('auto <env>')
    .description('auto-promotion: what it follows and waits for; --hold or --resume it (with --reason)')
    .option('--hold', 'hold auto-promotion (it starts nothing until resumed)')
    .option('--resume', 'lift the hold')
    .option('--reason <text>', 'why (required with --hold and --resume)')
    .action(async (name: string, opts: { hold?: boolean; resume?: boolean; reason?: string }) => {
      const { api } = await ctx.connect();
      const params = { params: { path: { env: name } } };
      if (opts.hold || opts.resume) {
        if (opts.hold && opts.resume) throw new CliError('--hold or --resume, not both', EXIT.usage);
        if (!opts.reason?.trim()) throw new CliError('--reason is required', EXIT.usage);
        const body = { reason: opts.reason };
        const h = opts.hold
          ? await call(() => api.POST('/v1/environments/{env}/auto-promotion/hold', { ...params, body }))
          : await call(() => api.POST('/v1/environments/{env}/auto-promotion/resume', { ...params, body }));
        ctx.print(
          h,
          () =>
            `${name}: auto-promotion ${opts.hold ? `held by ${h?.heldBy ?? '?'}` : `resumed by ${h?.resumedBy ?? '?'}`}: ${opts.reason}`,
        );
        return;
      }
      const r = await call(() => api.GET('/v1/environments/{env}/auto-promotion', params));
      ctx.print(r, () =>
        r.config
          ? `${r.environment}: ${r.state} (from ${r.config.from} when ${r.config.when}, soak ${r.config.soakSeconds} s)` +
            (r.message ? `\n  ${r.message}` : '') +
            (r.candidate ? `\n  candidate ${r.candidate.productVersion} ${r.candidate.releaseId} eligible ${r.candidate.eligibleAt}` : '')
          : `${r.environment}: no auto-promotion`,
      );
    });
  env
    .command('preflight <env>')
    .description('check the environment’s Git, Argo CD and Kubernetes setup')
    .action(async (name: string) => {
      const { api } = await ctx.connect();
      const r = await call(() => api.POST('/v1/environments/{env}/preflight', { params: { path: { env: name } } }));
      ctx.print(r, () => r.checks.map((c) => `${c.status.padEnd(8)} ${c.id}  ${c.message ?? ''}`).join('\n'));
      if (r.checks.some((c) => c.status === 'error')) process.exitCode = EXIT.failed;
    });
}
