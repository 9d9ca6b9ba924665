// Docker image references, parsed and normalised exactly as docker/distribution's
// reference package does (ParseNormalizedNamed, ParseAnyReference, TagNameOnly,
// FamiliarString, FamiliarMatch), so that names, errors and lookups agree with dockerd.
import { invalidParameter } from '../common/index.ts';
import { goPathMatch } from './path-match.ts';

const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
const DEFAULT_TAG = 'latest';
const NAME_TOTAL_LENGTH_MAX = 255;

/** A named reference: `domain/path[:tag][@digest]`. */
export interface NamedReference {
  readonly domain: string;
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** What ParseAnyReference yields: a name, or a bare digest (an image ID). */
export type AnyReference = { kind: 'named'; ref: NamedReference } | { kind: 'digest'; digest: string };

// --- the grammar (distribution/reference/regexp.go) ---
const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const ipv6address = '\\[(?:[a-fA-F0-9:]+)\\]';
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
const host = `(?:${domainName}|${ipv6address})`;
const domainAndPort = `${host}(?::[0-9]+)?`;
const tagPat = '[\\w][\\w.-]{0,127}';
const digestPat = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const namePat = `(?:${domainAndPort}/)?${remoteName}`;

const referenceRe = new RegExp(`^(${namePat})(?::(${tagPat}))?(?:@(${digestPat}))?$`);
const anchoredNameRe = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
const anchoredTagRe = new RegExp(`^${tagPat}$`);
const anchoredIdentifierRe = /^[a-f0-9]{64}$/;

const DIGEST_HEX_LEN: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };
const anchoredDigestRe = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/**
 * opencontainers/go-digest's Parse: `alg:hex` with a known algorithm and the right length.
 * Returns the error text go-digest uses, or undefined when the digest is valid.
 */
export function digestError(s: string): string | undefined {
  const i = s.indexOf(':');
  if (i <= 0 || i + 1 === s.length) return 'invalid checksum digest format';
  const alg = s.slice(0, i);
  const hex = s.slice(i + 1);
  const len = DIGEST_HEX_LEN[alg];
  if (len === undefined) {
    return anchoredDigestRe.test(s) ? 'unsupported digest algorithm' : 'invalid checksum digest format';
  }
  if (hex.length !== len) return 'invalid checksum digest length';
  if (!/^[a-f0-9]+$/.test(hex)) return 'invalid checksum digest format';
  return undefined;
}

/** distribution's reference.Parse: the raw grammar, no normalisation. */
function parseRaw(s: string): NamedReference {
  const m = referenceRe.exec(s);
  if (!m) {
    if (s === '') throw invalidParameter('repository name must have at least one component');
    if (referenceRe.test(s.toLowerCase())) throw invalidParameter('repository name must be lowercase');
    throw invalidParameter('invalid reference format');
  }
  const nm = anchoredNameRe.exec(m[1])!;
  const domain = nm[1] ?? '';
  const path = nm[2];
  if (path.length > NAME_TOTAL_LENGTH_MAX) {
    throw invalidParameter(`repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  }
  let digest: string | undefined;
  if (m[3] !== undefined) {
    const err = digestError(m[3]);
    if (err) throw invalidParameter(err);
    digest = m[3];
  }
  return { domain, path, ...(m[2] !== undefined ? { tag: m[2] } : {}), ...(digest ? { digest } : {}) };
}

/** distribution's splitDockerDomain (v0.6). */
function splitDockerDomain(name: string): [string, string] {
  const slash = name.indexOf('/');
  if (slash < 0) return [DEFAULT_DOMAIN, OFFICIAL_REPO_PREFIX + name];
  const maybeDomain = name.slice(0, slash);
  const maybeRemote = name.slice(slash + 1);
  let domain: string;
  let remote: string;
  if (maybeDomain === 'localhost') [domain, remote] = [maybeDomain, maybeRemote];
  else if (maybeDomain === LEGACY_DEFAULT_DOMAIN) [domain, remote] = [DEFAULT_DOMAIN, maybeRemote];
  else if (/[.:]/.test(maybeDomain)) [domain, remote] = [maybeDomain, maybeRemote];
  else if (maybeDomain.toLowerCase() !== maybeDomain) [domain, remote] = [maybeDomain, maybeRemote];
  else [domain, remote] = [DEFAULT_DOMAIN, name];
  if (domain === DEFAULT_DOMAIN && !remote.includes('/')) remote = OFFICIAL_REPO_PREFIX + remote;
  return [domain, remote];
}

/** reference.ParseNormalizedNamed: `busybox` → docker.io/library/busybox (no tag added). */
export function parseNormalizedNamed(s: string): NamedReference {
  if (anchoredIdentifierRe.test(s)) {
    throw invalidParameter(`invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`);
  }
  const [domain, remainder] = splitDockerDomain(s);
  const colon = remainder.indexOf(':');
  const remote = colon >= 0 ? remainder.slice(0, colon) : remainder;
  if (remote.toLowerCase() !== remote) {
    throw invalidParameter(`invalid reference format: repository name (${remote}) must be lowercase`);
  }
  return parseRaw(`${domain}/${remainder}`);
}

/** reference.ParseAnyReference: a 64-hex ID or `alg:hex` digest, else a normalised name. */
export function parseAnyReference(s: string): AnyReference {
  if (anchoredIdentifierRe.test(s)) return { kind: 'digest', digest: `sha256:${s}` };
  if (digestError(s) === undefined) return { kind: 'digest', digest: s };
  return { kind: 'named', ref: parseNormalizedNamed(s) };
}

/** reference.TagNameOnly. */
export function tagNameOnly(ref: NamedReference): NamedReference {
  return ref.tag === undefined && ref.digest === undefined ? { ...ref, tag: DEFAULT_TAG } : ref;
}

/** reference.WithTag: validates the tag. */
function withTag(ref: NamedReference, tag: string): NamedReference {
  if (!anchoredTagRe.test(tag)) throw invalidParameter('invalid tag format');
  return { domain: ref.domain, path: ref.path, tag };
}

/** Keep the digest and drop the tag when a reference has both (refstore's favorDigest). */
export function favorDigest(ref: NamedReference): NamedReference {
  return ref.digest !== undefined ? { domain: ref.domain, path: ref.path, digest: ref.digest } : ref;
}

export function isNameOnly(ref: NamedReference): boolean {
  return ref.tag === undefined && ref.digest === undefined;
}

/** Full name: `docker.io/library/busybox`. */
function fullName(ref: NamedReference): string {
  return ref.domain ? `${ref.domain}/${ref.path}` : ref.path;
}

/** Full string: `docker.io/library/busybox:latest@sha256:...`. */
export function referenceString(ref: NamedReference): string {
  return fullName(ref) + (ref.tag !== undefined ? `:${ref.tag}` : '') + (ref.digest !== undefined ? `@${ref.digest}` : '');
}

/** reference.FamiliarName: `busybox`, `user/app`, `localhost:5000/x`. */
export function familiarName(ref: NamedReference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return fullName(ref);
  if (ref.path.startsWith(OFFICIAL_REPO_PREFIX)) {
    const rest = ref.path.slice(OFFICIAL_REPO_PREFIX.length);
    if (!rest.includes('/')) return rest;
  }
  return ref.path;
}

/** reference.FamiliarString: `busybox:latest`, `localhost:5000/x:1`, `busybox@sha256:...`. */
export function familiarString(ref: NamedReference): string {
  return familiarName(ref) + (ref.tag !== undefined ? `:${ref.tag}` : '') + (ref.digest !== undefined ? `@${ref.digest}` : '');
}

/**
 * reference.FamiliarMatch: Go's path.Match of the pattern against the familiar string,
 * then against the familiar name. A malformed pattern is an error ("syntax error in pattern").
 */
export function familiarMatch(pattern: string, ref: NamedReference): boolean {
  const matched = goPathMatch(pattern, familiarString(ref));
  if (matched) return true;
  return goPathMatch(pattern, familiarName(ref));
}

/** The text Docker prints for a missing image: `No such image: busybox:latest`. */
export function noSuchImageText(input: string): string {
  let shown = input;
  try {
    const any = parseAnyReference(input);
    shown = any.kind === 'digest' ? any.digest : familiarString(tagNameOnly(any.ref));
  } catch {
    // unparsable input is shown as given
  }
  return `No such image: ${shown}`;
}

/**
 * httputils.RepoTagReference: `repo` plus an optional separate `tag` (the API's
 * `?repo=&tag=` pair) into a tagged reference; digests are refused.
 */
export function repoTagReference(repo: string, tag?: string): NamedReference {
  const ref = parseNormalizedNamed(repo);
  if (ref.digest !== undefined) throw invalidParameter('cannot import digest reference');
  if (tag) return withTag(ref, tag);
  return tagNameOnly(ref);
}
