// Git access of one environment for the promotion steps: remote, branch, credentials resolved from their
// references, the commit author and the trailers that tie a commit to its deployment (and to this
// installation: a deployment id alone repeats across installations and database restores).
import type { ActivityDeps } from './deps.js';
import { gitWorkDir, secretsOf, toFailure, type PromotionContext } from './promotion-context.js';
import type { GitCredentials, RemoteInput } from '../gitops/workspace.js';
import type { CommitOwner } from '../gitops/ownership.js';
import { plannedPaths, renderEnvironment, type RenderedFile } from '../gitops/render.js';
import { mappedPathMatcher } from '../gitops/mappings/plan.js';
import { getInstallationId } from '../db/installation.js';

export const DEPLOYMENT_TRAILER = 'Flow-Controller-Deployment';
export const INSTALLATION_TRAILER = 'Flow-Controller-Installation';

/** This database's installation id (created by migration 0005), loaded once per database. */
const installationIds = new WeakMap<object, Promise<string>>();
export function installationIdOf(deps: ActivityDeps): Promise<string> {
  let id = installationIds.get(deps.database);
  if (!id) {
    id = getInstallationId(deps.database.db);
    id.catch(() => installationIds.delete(deps.database));
    installationIds.set(deps.database, id);
  }
  return id;
}

export function remoteOf(deps: ActivityDeps, ctx: PromotionContext): RemoteInput {
  const g = ctx.environment.gitops;
  let credentials: GitCredentials | undefined;
  try {
    const secrets = secretsOf(deps);
    if (g.credentials?.type === 'https-token') {
      credentials = {
        type: 'https-token',
        token: secrets.resolve(g.credentials.tokenRef),
        ...(g.credentials.username ? { username: g.credentials.username } : {}),
      };
    } else if (g.credentials?.type === 'ssh-key') {
      // Resolved like every other secret (env: or file:, under the installation's restrictions); the engine
      // writes the key to a 0600 file inside its workspace and removes it with the workspace. Never a path
      // taken from the reference: an env: value used as a path put the whole key into error messages.
      credentials = { type: 'ssh-key', privateKey: secrets.resolve(g.credentials.privateKeyRef) };
    }
  } catch (err) {
    throw toFailure(err);
  }
  return {
    repoUrl: g.repoUrl,
    branch: g.branch,
    workDir: gitWorkDir(deps),
    ...(credentials ? { credentials } : {}),
    ...(deps.allowedHosts ? { allowedHosts: deps.allowedHosts } : {}),
  };
}

/** The trailers of this deployment's commits; `releaseId` defaults to the promoted release. */
export function trailersOf(ctx: PromotionContext, installationId: string, releaseId = ctx.release.id): Record<string, string> {
  return {
    [INSTALLATION_TRAILER]: installationId,
    'Flow-Controller-Environment': ctx.environment.name,
    [DEPLOYMENT_TRAILER]: String(ctx.deployment.id),
    'Flow-Controller-Release': releaseId,
  };
}

/** What makes a commit this deployment's own: all its trailers, and only files this environment's mappings name. */
export function ownerOf(ctx: PromotionContext, installationId: string): CommitOwner {
  return {
    trailers: trailersOf(ctx, installationId),
    ownsPath: mappedPathMatcher(ctx.environment.gitops, ctx.environment.name),
  };
}

export function authorOf(deps: ActivityDeps, ctx: PromotionContext): { name: string; email: string } {
  return (
    deps.gitAuthor ?? {
      name: ctx.deployment.startedBy,
      email: `${ctx.deployment.startedBy.replace(/[^A-Za-z0-9._-]/g, '_')}@flow-controller.invalid`,
    }
  );
}

/** The files of this promotion (every image mapping of the environment), rendered against whatever the branch holds now. */
export function renderFor(ctx: PromotionContext, readFile: (path: string) => string | undefined): RenderedFile[] {
  const g = ctx.environment.gitops;
  return renderEnvironment({
    environment: ctx.environment.name,
    descriptor: ctx.release.descriptor,
    releaseId: ctx.release.id,
    descriptorDigest: ctx.release.digest,
    productVersion: ctx.release.productVersion,
    readFile,
    pathPattern: g.pathPattern,
    mapping: g.mapping,
    groups: g.groups,
  }).files;
}

/** The repository paths renderFor reads and writes (one fetch reads them all). */
export function pathsFor(ctx: PromotionContext): string[] {
  const g = ctx.environment.gitops;
  return plannedPaths({
    environment: ctx.environment.name,
    descriptor: ctx.release.descriptor,
    pathPattern: g.pathPattern,
    mapping: g.mapping,
    groups: g.groups,
  });
}
