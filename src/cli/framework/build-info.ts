// What this CLI build is. scripts/build.sh fills the two constants in with esbuild --define;
// run from source (node src/cli/main.ts) they read 'unknown'.
declare const BERTH_GIT_COMMIT: string | undefined;
declare const BERTH_BUILD_TIME: string | undefined;

export const CLI_VERSION = '0.1.0';
export const GIT_COMMIT: string = typeof BERTH_GIT_COMMIT === 'string' && BERTH_GIT_COMMIT ? BERTH_GIT_COMMIT : 'unknown';
/** RFC 3339, or '' when unknown. */
export const BUILD_TIME: string = typeof BERTH_BUILD_TIME === 'string' ? BERTH_BUILD_TIME : '';
