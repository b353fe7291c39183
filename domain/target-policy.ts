// The installation's policy on an environment's targets (docs/security-notes/secrets.md): which secret
// references may be resolved, that no URL carries credentials, and which hosts Flow Controller may talk to.
// Pure rules: checked when an environment is saved (422 ENVIRONMENT_INVALID, naming the field) and again by
// lib/secrets.ts, integrations/targets.ts and the GitOps engine when a row is used, so a row written to the
// database behind the API's back is still refused. No message ever repeats a URL's userinfo.
import type { EnvironmentConfig } from './environment.js';

export interface TargetPolicy {
  /** `env:NAME` references must name a variable starting with this prefix (default `FC_SECRET_`). */
  secretEnvPrefix: string;
  /** `file:` references must name a file under this absolute directory (default `/run/secrets`). */
  secretsDir: string;
  /** Host patterns (`host`, `*.domain`, either with `:port`); empty = every host is allowed. */
  allowedHosts: readonly string[];
}

export const DEFAULT_SECRET_ENV_PREFIX = 'FC_SECRET_';
export const DEFAULT_SECRETS_DIR = '/run/secrets';
export const DEFAULT_TARGET_POLICY: TargetPolicy = {
  secretEnvPrefix: DEFAULT_SECRET_ENV_PREFIX,
  secretsDir: DEFAULT_SECRETS_DIR,
  allowedHosts: [],
};

/** Why `ref` can never resolve under `policy`, or undefined when it may. Never repeats the reference's value. */
export function secretRefProblem(ref: string, policy: Pick<TargetPolicy, 'secretEnvPrefix' | 'secretsDir'>): string | undefined {
  if (ref.startsWith('env:')) {
    const name = ref.slice(4);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return 'env: must name an environment variable';
    if (!name.startsWith(policy.secretEnvPrefix) || name.length === policy.secretEnvPrefix.length) {
      return `env: references must name a variable starting with ${policy.secretEnvPrefix} (FC_SECRET_ENV_PREFIX)`;
    }
    return undefined;
  }
  if (ref.startsWith('file:')) {
    const file = ref.slice(5);
    if (!file.startsWith('/')) return 'file: references need an absolute path';
    const segments = file.split('/').slice(1);
    if (segments.some((s) => s === '' || s === '.' || s === '..')) return 'file: paths must not contain "..", "." or empty segments';
    const dir = policy.secretsDir.replace(/\/+$/, '');
    if (!file.startsWith(`${dir}/`)) return `file: references must name a file under ${dir} (FC_SECRETS_DIR)`;
    return undefined;
  }
  return 'a secret reference is env:NAME or file:/absolute/path';
}

/**
 * The authority (userinfo, host, port) of `scheme://authority/...`, or undefined for other strings. HTTP(S)
 * follows the WHATWG URL parser that fetch uses ('\', '?' and '#' end the authority); other schemes end it
 * at the first '/' only, as Git does, so `ssh://a.example\@b.example/` is host b.example, not a.example.
 */
function authorityOf(url: string): { scheme: string; authority: string } | undefined {
  const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url);
  if (!m) return undefined;
  const scheme = (m[1] as string).toLowerCase();
  const rest = url.slice(m[0].length);
  const end = scheme === 'http' || scheme === 'https' ? /[/?#\\]|$/.exec(rest) : /\/|$/.exec(rest);
  return { scheme, authority: rest.slice(0, end?.index ?? rest.length) };
}

const SSH_SCHEMES = new Set(['ssh', 'git+ssh', 'ssh+git']);

/**
 * True when `url` embeds credentials. For HTTP(S) (Argo CD, Kubernetes, Git over HTTPS) any userinfo is a
 * credential (`https://token@host` authenticates on GitHub). For SSH a user name alone is the login, not a
 * secret: `ssh://git@host/org/repo.git` and the scp-like `git@host:org/repo.git` are accepted, while
 * `ssh://git:pw@host/...` and `git:pw@host:org/repo.git` are refused.
 */
export function urlHasCredentials(url: string): boolean {
  const a = authorityOf(url);
  if (a) {
    const at = a.authority.lastIndexOf('@');
    if (at < 0) return false;
    if (!SSH_SCHEMES.has(a.scheme)) return true;
    return a.authority.slice(0, at).includes(':') || at === 0;
  }
  const scp = scpLike(url);
  return scp !== undefined && scp.userinfo !== undefined && (scp.userinfo.includes(':') || scp.userinfo === '');
}

/** `[user@]host:path` (Git's scp-like syntax): no `scheme://`, and a ':' after the host before any '/'. */
function scpLike(url: string): { userinfo: string | undefined; host: string } | undefined {
  if (url.includes('://')) return undefined;
  const slash = url.indexOf('/');
  const head = slash < 0 ? url : url.slice(0, slash);
  const at = head.lastIndexOf('@');
  const rest = url.slice(at + 1);
  const colon = rest.indexOf(':');
  const restSlash = rest.indexOf('/');
  if (colon <= 0 || (restSlash >= 0 && restSlash < colon)) return undefined;
  return { userinfo: at < 0 ? undefined : url.slice(0, at), host: rest.slice(0, colon) };
}

/** Host and port Flow Controller will connect to for `url`; undefined for a local repository (file://, a path). */
export function endpointOf(url: string): { host: string; port: string | undefined } | undefined {
  const a = authorityOf(url);
  if (a) {
    if (a.scheme === 'file') return undefined;
    if (a.scheme === 'http' || a.scheme === 'https') {
      // Exactly the host fetch and git-remote-http connect to (percent-decoding, IDN, case).
      try {
        const u = new URL(url);
        return { host: u.hostname.toLowerCase(), port: u.port === '' ? undefined : u.port };
      } catch {
        return { host: '', port: undefined };
      }
    }
    const hostPort = a.authority.slice(a.authority.lastIndexOf('@') + 1);
    const m = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(hostPort);
    const host = (m?.[1] ?? hostPort).toLowerCase();
    return { host, port: m?.[2] ? m[2] : undefined };
  }
  const scp = scpLike(url);
  return scp ? { host: scp.host.toLowerCase(), port: undefined } : undefined;
}

const DEFAULT_PORTS: Record<string, string> = { http: '80', https: '443', ssh: '22', 'git+ssh': '22', 'ssh+git': '22', git: '9418' };

/** A host pattern: `host`, `*.domain` (one or more labels), `[v6]`, each optionally `:port`. */
export function validHostPattern(pattern: string): boolean {
  return /^(\*\.)?([a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(:\d{1,5})?$/i.test(pattern);
}

/**
 * Whether `url` may be contacted under `allowedHosts` (empty list = all). A local repository (no host) is
 * allowed only when the list is empty. A pattern without a port allows every port of that host.
 */
export function hostAllowed(url: string, allowedHosts: readonly string[]): boolean {
  if (allowedHosts.length === 0) return true;
  const ep = endpointOf(url);
  if (!ep || ep.host === '') return false;
  const scheme = authorityOf(url)?.scheme ?? 'ssh';
  const port = ep.port ?? DEFAULT_PORTS[scheme];
  return allowedHosts.some((raw) => {
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(raw.trim().toLowerCase());
    if (!m) return false;
    const hostPattern = m[1] as string;
    if (m[2] !== undefined && m[2] !== port) return false;
    if (hostPattern.startsWith('*.')) return ep.host.length > hostPattern.length - 1 && ep.host.endsWith(hostPattern.slice(1));
    return ep.host === hostPattern;
  });
}

export interface TargetProblem {
  /** Dotted field path inside the environment configuration, e.g. `argocd.tokenRef`. */
  path: string;
  message: string;
}

/** Every reason `config` breaks the installation's policy (empty = fine). Messages never repeat a URL. */
export function checkTargetPolicy(
  config: Pick<EnvironmentConfig, 'gitops' | 'argocd' | 'kubernetes'>,
  policy: TargetPolicy,
): TargetProblem[] {
  const problems: TargetProblem[] = [];
  const refs: Array<[string, string | undefined]> = [
    ['argocd.tokenRef', config.argocd.tokenRef],
    ['argocd.usernameRef', config.argocd.usernameRef],
    ['argocd.passwordRef', config.argocd.passwordRef],
    ['kubernetes.tokenRef', config.kubernetes.tokenRef],
  ];
  const creds = config.gitops.credentials;
  if (creds?.type === 'https-token') refs.push(['gitops.credentials.tokenRef', creds.tokenRef]);
  if (creds?.type === 'ssh-key') refs.push(['gitops.credentials.privateKeyRef', creds.privateKeyRef]);
  for (const [path, ref] of refs) {
    const problem = ref === undefined ? undefined : secretRefProblem(ref, policy);
    if (problem) problems.push({ path, message: problem });
  }
  const urls: Array<[string, string, string]> = [
    ['gitops.repoUrl', config.gitops.repoUrl, 'use gitops.credentials'],
    ['argocd.serverUrl', config.argocd.serverUrl, 'use tokenRef or usernameRef/passwordRef'],
    ['kubernetes.server', config.kubernetes.server, 'use tokenRef'],
  ];
  for (const [path, url, instead] of urls) {
    if (urlHasCredentials(url)) problems.push({ path, message: `must not contain credentials (user:password@); ${instead}` });
    else if (!hostAllowed(url, policy.allowedHosts)) {
      const ep = endpointOf(url);
      const where = ep ? `host ${ep.host}${ep.port ? `:${ep.port}` : ''}` : 'a local repository';
      problems.push({ path, message: `${where} is not in FC_ALLOWED_HOSTS` });
    }
  }
  return problems;
}
