// `npm run pack:cli`: flowctl as an installable npm tarball (`flowctl-<version>.tgz`), apart from the server. esbuild
// bundles cli/bin.ts with its two dependencies (commander, openapi-fetch) into one ES module, so the package has no
// dependencies and installs offline: `npm install -g ./flowctl-0.1.0.tgz`. The repository's own `npx flowctl` keeps
// running the sources (cli/flowctl.mjs through tsx). docs/cli.md, "Installing".
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Builds the package in `<outDir>/package` and packs it into outDir; returns the tarball's path. */
export async function packCli(outDir: string): Promise<string> {
  const { build } = await import('esbuild');
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const pkgDir = join(outDir, 'package');
  rmSync(pkgDir, { recursive: true, force: true });
  mkdirSync(join(pkgDir, 'bin'), { recursive: true });
  await build({
    entryPoints: [join(ROOT, 'cli', 'bin.ts')],
    outfile: join(pkgDir, 'bin', 'flowctl.mjs'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: ['node22'],
    banner: { js: '#!/usr/bin/env node' },
    legalComments: 'inline',
    logLevel: 'silent',
  });
  const manifest = {
    name: 'flowctl',
    version,
    description: 'flowctl: the command line of Flow Controller, the release bus for Kubernetes',
    type: 'module',
    bin: { flowctl: 'bin/flowctl.mjs' },
    files: ['bin', 'README.md'],
    engines: { node: '>=22' },
    license: 'UNLICENSED',
  };
  writeFileSync(join(pkgDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  copyFileSync(join(ROOT, 'docs', 'cli.md'), join(pkgDir, 'README.md'));
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', outDir], { cwd: pkgDir, encoding: 'utf8' });
  const [packed] = JSON.parse(out) as Array<{ filename: string }>;
  if (!packed) throw new Error('npm pack produced nothing');
  return join(outDir, packed.filename);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const outDir = process.argv[2] ?? join(ROOT, 'dist');
  mkdirSync(outDir, { recursive: true });
  packCli(outDir).then(
    (file) => process.stdout.write(`${file}\n`),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
