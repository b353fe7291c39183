// Image references as the OCI distribution reference grammar (github.com/distribution/reference) defines and
// normalizes them, so that two spellings of one image compare equal and two different images never do:
//
//   reference := name [ ":" tag ] [ "@" digest ]
//   name      := [ domain "/" ] path            domain := host [ ":" port ]
//   path      := component ( "/" component )*   component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
//   tag       := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
//   digest    := algorithm ":" hex{32,}         algorithm := [A-Za-z][A-Za-z0-9]* ( [+._-] [A-Za-z][A-Za-z0-9]* )*
//
// Normalization (ParseNormalizedNamed): the first path element is a registry only if it contains `.` or `:`,
// is `localhost`, or has an upper-case letter; otherwise the registry is `docker.io`. `index.docker.io` is
// `docker.io`. On docker.io a one-component path gets `library/`. The path must be lower case (an upper-case
// repository is not a valid reference, not a spelling of a lower-case one); registry host names are compared
// case-insensitively. A reference with neither tag nor digest means the tag `latest`.
// Pure: no I/O, no Node built-ins. Inputs are bounded (≤ 255 characters for a name) and every regex here is
// linear (no nested quantifiers over overlapping classes).

export const DEFAULT_REGISTRY = 'docker.io';
const LEGACY_DEFAULT_REGISTRY = 'index.docker.io';
const OFFICIAL_REPOSITORY_PREFIX = 'library/';
const MAX_NAME_LENGTH = 255;

const COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const HOST_LABEL_RE = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const IPV6_RE = /^\[[a-fA-F0-9:]+\]$/;
const PORT_RE = /^[0-9]{1,5}$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const DIGEST_RE = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;

/** A parsed, normalized reference. `tag` is absent when the reference pins only a digest. */
export interface ImageRef {
  /** Registry host (lower case), with its port if any: `docker.io`, `registry.example.com:5000`. */
  registry: string;
  /** Repository path inside the registry: `library/nginx`, `org/api`. */
  path: string;
  tag?: string;
  digest?: string;
}

function isDomain(domain: string): boolean {
  let host = domain;
  const portAt = domain.lastIndexOf(':');
  if (portAt >= 0 && !domain.endsWith(']')) {
    if (!PORT_RE.test(domain.slice(portAt + 1))) return false;
    host = domain.slice(0, portAt);
  }
  if (IPV6_RE.test(host)) return true;
  return host.length > 0 && host.split('.').every((label) => HOST_LABEL_RE.test(label));
}

/** Splits a name into registry and path the way Docker does (splitDockerDomain). */
function splitName(name: string): { registry: string; path: string } | undefined {
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost' || first.toLowerCase() !== first);
  let registry = hasRegistry ? first.toLowerCase() : DEFAULT_REGISTRY;
  let path = hasRegistry ? name.slice(slash + 1) : name;
  if (hasRegistry && !isDomain(first)) return undefined;
  if (registry === LEGACY_DEFAULT_REGISTRY) registry = DEFAULT_REGISTRY;
  if (registry === DEFAULT_REGISTRY && !path.includes('/')) path = OFFICIAL_REPOSITORY_PREFIX + path;
  if (!path.split('/').every((c) => COMPONENT_RE.test(c))) return undefined;
  return { registry, path };
}

/** Parses and normalizes a reference; undefined when it is not a valid reference. */
export function parseImageRef(reference: string): ImageRef | undefined {
  if (reference.length === 0 || reference.length > 512) return undefined;
  let rest = reference;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST_RE.test(digest)) return undefined;
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) return undefined;
  }
  if (rest.length === 0 || rest.length > MAX_NAME_LENGTH) return undefined;
  const name = splitName(rest);
  if (!name) return undefined;
  if (tag === undefined && digest === undefined) tag = 'latest';
  return { ...name, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) };
}

/** A repository name alone (no tag, no digest), normalized: `org/api` → `docker.io/org/api`. */
export function normalizeRepository(repository: string): string | undefined {
  if (repository.includes('@') || repository.length > MAX_NAME_LENGTH) return undefined;
  const colon = repository.lastIndexOf(':');
  if (colon > repository.lastIndexOf('/')) return undefined; // a tag, not a repository
  const name = splitName(repository);
  return name ? `${name.registry}/${name.path}` : undefined;
}

/** The fully qualified form: `docker.io/library/nginx:1.27`, `ghcr.io/org/api:1.2@sha256:…`. */
export function formatImageRef(ref: ImageRef): string {
  return `${ref.registry}/${ref.path}${ref.tag === undefined ? '' : `:${ref.tag}`}${ref.digest === undefined ? '' : `@${ref.digest}`}`;
}

/** The reference a descriptor container `{ repo, tag }` means: a `sha256:` tag is a digest. */
export function containerImageRef(container: { repo: string; tag: string }): ImageRef | undefined {
  const isDigest = container.tag.startsWith('sha256:');
  return parseImageRef(isDigest ? `${container.repo}@${container.tag}` : `${container.repo}:${container.tag}`);
}

/** Same registry and repository path (after normalization)? */
export function sameRepository(a: ImageRef, b: ImageRef): boolean {
  return a.registry === b.registry && a.path === b.path;
}
