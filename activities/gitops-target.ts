// Git access of one environment for the promotion steps: remote, branch, credentials resolved from their
// references, the commit author and the trailers that tie a commit to its deployment.
import type { ActivityDeps } from './deps.js';
import { gitWorkDir, secretsOf, toFailure, type PromotionContext } from './promotion-context.js';
import type { GitCredentials, RemoteInput } from '../gitops/workspace.js';
import { renderEnvironment, type RenderedFile } from '../gitops/render.js';

export const DEPLOYMENT_TRAILER = 'Flow-Controller-Deployment';

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

export function trailersOf(ctx: PromotionContext): Record<string, string> {
  return {
    'Flow-Controller-Release': ctx.release.id,
    'Flow-Controller-Environment': ctx.environment.name,
    [DEPLOYMENT_TRAILER]: String(ctx.deployment.id),
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

/** The values files of this promotion, rendered against whatever the branch holds now. */
export function renderFor(ctx: PromotionContext, readFile: (path: string) => string | undefined): RenderedFile[] {
  return renderEnvironment({
    environment: ctx.environment.name,
    descriptor: ctx.release.descriptor,
    releaseId: ctx.release.id,
    descriptorDigest: ctx.release.digest,
    productVersion: ctx.release.productVersion,
    readFile,
    pathPattern: ctx.environment.gitops.pathPattern,
  }).files;
}
