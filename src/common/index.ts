// The common box: what every box shares (errors, ids, time, atomic files, locks, the stdcopy
// and tar formats). Other boxes import it only through this file; it imports no other box.
export * from './api-version.ts';
export * from './atomic-file.ts';
export * from './byte-size.ts';
export type * from './deep-readonly.ts';
export * from './detach-keys.ts';
export * from './engine-client.ts';
export * from './errors.ts';
export * from './go-bool.ts';
export * from './human-duration.ts';
export * from './ids.ts';
export * from './ip.ts';
export * from './keyed-lock.ts';
export * from './logger.ts';
export * from './project-files.ts';
export * from './quote.ts';
export * from './raw-json.ts';
export * from './stdcopy.ts';
export * from './time.ts';
export * from './tar/index.ts';
export { isMountPoint, parseMountInfo, readMountInfo } from './mountinfo.ts';
export { OffThreadSha256 } from './off-thread-hash.ts';
export { PatternMatcher, dockerignoreMatcher, parseDockerignore } from './dockerignore/dockerignore.ts';
export type { MatchInfo } from './dockerignore/dockerignore.ts';
export { BadPatternError, goMatch, hasWildcards } from './dockerignore/go-match.ts';
