// Where the embedded PostgreSQL's binaries and data live when `npm start` runs as root.
//
// Postgres refuses to run as root, so as root it runs as the system user `postgres`. That user must be able
// to execute the binaries and to reach its data directory, but a clone may sit under a directory only root
// can traverse (root's home, a `mktemp -d` folder: 0700). Three ways out were weighed:
//   - loosening the modes of the clone's ancestors (chmod o+x /root, ACLs): changes the operator's own
//     directories behind their back, and opens more than Postgres needs;
//   - not dropping privileges (user namespaces, running Postgres as a fake non-root): fragile, unavailable in
//     many containers;
//   - copying what the `postgres` user must reach into a root-owned place it can traverse. Chosen.
// So, as root:
//   - the binaries (the npm package's whole `native/` tree: bin, lib — found through RUNPATH $ORIGIN/../lib —
//     and share) are copied once into `<runtimeDir>/pg-<content hash>` (root-owned, 0755 dirs, files not
//     writable by others), keyed by the binaries' content so a new package version gets a new copy; the copy
//     is made under a temporary name and renamed into place, so concurrent starts never see a half copy;
//   - the data directory stays where it was asked (`FC_DATA_DIR/postgres`) when the `postgres` user can
//     reach its parent; otherwise it lives in `<runtimeDir>/data/<random id>` (owned by `postgres`, 0700),
//     and `<dataDir>.location` next to the requested place remembers it, so deleting FC_DATA_DIR still
//     means a fresh database on the next start.
// `<runtimeDir>` defaults to /var/lib/flow-controller/embedded-postgres: only root can write under /var/lib,
// unlike os.tmpdir() where anyone could pre-create the directory and swap the binaries. A runtimeDir that is
// not a root-owned real directory is refused. Not running as root, none of this applies: the invoking user
// owns its clone and runs Postgres itself.
import { createHash, randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { chmod, chown, cp, lstat, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

export const DEFAULT_RUNTIME_DIR = '/var/lib/flow-controller/embedded-postgres';

export interface ServiceUser {
  uid?: number;
  gid?: number;
}

export function run(cmd: string, args: string[], opts: ServiceUser): Promise<string> {
  return new Promise((resolveRun, reject) => {
    let output = '';
    // cwd '/': the caller's working directory (the clone) may be unreachable for the service user.
    const child = spawn(cmd, args, { ...opts, cwd: '/', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    child.stdout?.on('data', (b: Buffer) => (output += String(b)));
    child.stderr?.on('data', (b: Buffer) => (output += String(b)));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolveRun(output) : reject(new Error(`${cmd} exited with ${code}: ${output.slice(-2000)}`))));
  });
}

/** Postgres refuses to run as root: as root, run it as the system user `postgres` (created if missing). */
export async function postgresUser(): Promise<ServiceUser> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return {};
  const ids = async () => ({
    uid: Number((await run('id', ['-u', 'postgres'], {})).trim()),
    gid: Number((await run('id', ['-g', 'postgres'], {})).trim()),
  });
  try {
    return await ids();
  } catch {
    await run('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'], {});
    return ids();
  }
}

/** Can `user` search (traverse) the directory `path`? Asked of the kernel, as that user. */
async function canReach(user: ServiceUser, path: string): Promise<boolean> {
  return run('test', ['-x', path], user).then(
    () => true,
    () => false,
  );
}

/** Creates (if needed) a directory that must be root-owned, a real directory, and not writable by others. */
async function rootOwnedDir(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o755 });
  const st = await lstat(path);
  if (!st.isDirectory() || st.uid !== 0) throw new Error(`${path} must be a directory owned by root; refusing to run PostgreSQL from it`);
  await chmod(path, 0o755);
}

async function fileHash(hash: ReturnType<typeof createHash>, path: string): Promise<void> {
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
}

/** Makes a copied tree readable (and its executables executable) by everyone, writable by root only. */
async function normalizeModes(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await normalizeModes(path);
    else if (entry.isFile()) await chmod(path, (await lstat(path)).mode & 0o100 ? 0o755 : 0o644);
  }
}

export interface Binaries {
  initdb: string;
  postgres: string;
}

/** As root: the binaries copied to `<runtimeDir>/pg-<hash>` (done once per content); else the given ones. */
export async function reachableBinaries(bin: Binaries, user: ServiceUser, runtimeDir: string): Promise<Binaries> {
  if (user.uid === undefined) return bin;
  await rootOwnedDir(runtimeDir);
  if (!(await canReach(user, runtimeDir))) {
    throw new Error(`the postgres user cannot reach ${runtimeDir}; choose a runtime directory whose parents it can traverse`);
  }
  const hash = createHash('sha256');
  await fileHash(hash, bin.postgres);
  await fileHash(hash, bin.initdb);
  const target = join(runtimeDir, `pg-${hash.digest('hex').slice(0, 16)}`);
  const staged = { initdb: join(target, 'bin', 'initdb'), postgres: join(target, 'bin', 'postgres') };
  if (existsSync(staged.postgres) && existsSync(staged.initdb)) {
    const st = await lstat(target);
    if (st.isDirectory() && st.uid === 0) return staged;
    throw new Error(`${target} is not a root-owned directory; refusing to run PostgreSQL from it`);
  }
  const native = dirname(dirname(bin.initdb));
  const tmp = join(runtimeDir, `.pg-tmp-${randomUUID()}`);
  try {
    await cp(native, tmp, { recursive: true, verbatimSymlinks: true });
    await normalizeModes(tmp);
    await rename(tmp, target).catch((err: NodeJS.ErrnoException) => {
      // Another start won the race: its complete copy is as good as ours.
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return staged;
}

/**
 * Where the data directory really is. In place when the service user can reach its parent (always, when
 * not running as root); otherwise under `<runtimeDir>/data`, remembered in `<dataDir>.location`.
 */
export async function reachableDataDir(
  dataDir: string,
  user: ServiceUser,
  runtimeDir: string,
): Promise<{ dir: string; relocated: boolean }> {
  const wanted = resolve(dataDir);
  await mkdir(dirname(wanted), { recursive: true });
  if (user.uid === undefined || (await canReach(user, dirname(wanted)))) return { dir: wanted, relocated: false };
  const dataRoot = join(runtimeDir, 'data');
  await rootOwnedDir(runtimeDir);
  await rootOwnedDir(dataRoot);
  const locationFile = `${wanted}.location`;
  if (existsSync(locationFile)) {
    const remembered = (await readFile(locationFile, 'utf8')).trim();
    if (dirname(remembered) === dataRoot) return { dir: remembered, relocated: true };
  }
  const dir = join(dataRoot, randomUUID());
  await writeFile(locationFile, `${dir}\n`, { mode: 0o600 });
  return { dir, relocated: true };
}

/** Creates the (empty) data directory owned by the service user, 0700, as initdb wants it. */
export async function prepareDataDir(dir: string, user: ServiceUser): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  if (user.uid !== undefined && user.gid !== undefined) await chown(dir, user.uid, user.gid);
}

/**
 * Writes initdb's password file next to the data directory (a place the service user reaches), 0600, owned
 * by the service user; never over an existing file or symlink. Returns its path; the caller removes it.
 */
export async function writePwfile(dataDir: string, password: string, user: ServiceUser): Promise<string> {
  const path = join(dirname(dataDir), `.pwfile-${randomUUID()}`);
  await writeFile(path, `${password}\n`, { mode: 0o600, flag: 'wx' });
  if (user.uid !== undefined && user.gid !== undefined) await chown(path, user.uid, user.gid);
  return path;
}
