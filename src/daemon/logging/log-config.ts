// Log drivers as dockerd configures them: the container's LogConfig merged with the daemon's
// default (moby daemon/logs.go mergeAndVerifyLogConfig), the options checked at create with
// dockerd's messages (logger.ValidateLogOpts and each driver's ValidateLogOpt), and at start
// the settings the shim writes with (each driver's New: sizes, counts, compress, tag, attrs).
import { existsSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { ByteSizeError, fromHumanSize, invalidParameter, ramInBytes, systemError } from '../../common/index.ts';
import type { LogTarget } from '../../runtime/index.ts';

export interface LogConfig {
  Type: string;
  Config: Record<string, string>;
}

/** Drivers whose logs `docker logs` reads. */
export const READABLE_DRIVERS = new Set(['json-file', 'local']);

const BUILTIN_OPTS = new Set(['mode', 'max-buffer-size']);
// Dual logging's cache options (moby loggerutils/cache): accepted for every driver.
const CACHE_OPTS = new Set(['cache-disabled', 'cache-max-size', 'cache-max-file', 'cache-compress']);

const DRIVER_OPTS: Record<string, string[]> = {
  'json-file': ['max-file', 'max-size', 'compress', 'labels', 'labels-regex', 'env', 'env-regex', 'tag'],
  local: ['max-file', 'max-size', 'compress'],
  syslog: ['env', 'env-regex', 'labels', 'syslog-address', 'syslog-facility', 'syslog-tls-ca-cert', 'syslog-tls-cert', 'syslog-tls-key',
    'syslog-tls-skip-verify', 'tag', 'syslog-format'],
  journald: ['labels', 'labels-regex', 'env', 'env-regex', 'tag'],
};

const SYSLOG_FACILITIES: Record<string, number> = {
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9, authpriv: 10, ftp: 11,
  local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
};
const SYSLOG_FORMATS = new Set(['', 'rfc3164', 'rfc5424', 'rfc5424micro']);

/**
 * dockerd's mergeAndVerifyLogConfig: an empty Type takes the daemon's; the daemon's options
 * fill in those the container does not set when the types match; then the options are checked.
 */
export function mergeLogConfig(given: { Type?: string | null; Config?: Record<string, string> | null } | null | undefined, daemon: LogConfig): LogConfig {
  const Type = given?.Type || daemon.Type;
  const Config: Record<string, string> = { ...(given?.Config ?? {}) };
  if (Type === daemon.Type) {
    for (const [k, v] of Object.entries(daemon.Config)) if (!(k in Config)) Config[k] = v;
  }
  // logcache.MergeDefaultLogConfig: the daemon's cache settings apply to every driver.
  for (const [k, v] of Object.entries(daemon.Config)) if (CACHE_OPTS.has(k) && !(k in Config)) Config[k] = v;
  validateLogOpts(Type, Config);
  return { Type, Config };
}

/** logger.ValidateLogOpts: throws InvalidParameter with dockerd's message. */
export function validateLogOpts(type: string, cfg: Record<string, string>): void {
  if (type === 'none') return;
  const mode = cfg.mode ?? '';
  if (!['', 'blocking', 'non-blocking'].includes(mode)) throw invalidParameter(`logger: logging mode not supported: ${mode}`);
  if (cfg['max-buffer-size'] !== undefined) {
    if (mode !== 'non-blocking') throw invalidParameter(`logger: max-buffer-size option is only supported with 'mode=non-blocking'`);
    try {
      ramInBytes(cfg['max-buffer-size']);
    } catch (e) {
      throw invalidParameter(`error parsing option max-buffer-size: ${(e as Error).message}`);
    }
  }
  const allowed = DRIVER_OPTS[type];
  // Not built in: dockerd looks for a logging plugin of that name (berthd has no plugins).
  if (!allowed) throw invalidParameter(`error looking up logging plugin ${type}: plugin "${type}" not found`);
  if (cfg['cache-disabled'] && parseGoBool(cfg['cache-disabled']) === undefined) {
    throw invalidParameter(`invalid value for option cache-disabled: ${cfg['cache-disabled']}`);
  }
  for (const key of Object.keys(cfg)) {
    if (BUILTIN_OPTS.has(key) || CACHE_OPTS.has(key) || allowed.includes(key)) continue;
    // Each driver words it its own way (moby jsonfilelog, local, syslog, journald).
    throw invalidParameter(type === 'local' ? `unknown log opt '${key}' for log driver local` : `unknown log opt '${key}' for ${type} log driver`);
  }
  if (type === 'syslog') {
    parseSyslogAddress(cfg['syslog-address'] ?? '');
    parseSyslogFacility(cfg['syslog-facility'] ?? '');
    if (!SYSLOG_FORMATS.has(cfg['syslog-format'] ?? '')) throw invalidParameter('Invalid syslog format');
  }
}

/** srslog's transports: "" is the local syslog socket; unix/unixgram paths must exist. */
export function parseSyslogAddress(address: string): { proto: string; address: string } {
  if (address === '') return { proto: '', address: '' };
  const m = /^([a-z+]+):\/\/(.*)$/.exec(address);
  if (!m || !['tcp', 'udp', 'unix', 'unixgram', 'tcp+tls'].includes(m[1])) {
    throw invalidParameter(`syslog-address should be in form proto://address, got ${address}`);
  }
  const [, proto, rest] = m;
  if (proto === 'unix' || proto === 'unixgram') {
    try {
      statSync(rest);
    } catch {
      throw invalidParameter(`stat ${rest}: no such file or directory`);
    }
    return { proto, address: rest };
  }
  let host = rest.replace(/\/.*$/, '');
  if (!/:\d*$/.test(host) || (host.startsWith('[') && !/\]:\d*$/.test(host))) host += ':514';
  return { proto, address: host };
}

export function parseSyslogFacility(facility: string): number {
  if (facility === '') return SYSLOG_FACILITIES.daemon;
  if (facility in SYSLOG_FACILITIES) return SYSLOG_FACILITIES[facility];
  if (/^[+-]?\d+$/.test(facility)) {
    const n = Number(facility);
    if (n >= 0 && n <= 23) return n;
  }
  throw invalidParameter('invalid syslog facility');
}

/** What the container is, for tag templates and extra attributes (moby logger.Info). */
export interface LogInfo {
  id: string;
  name: string;
  imageId: string;
  imageName: string;
  hostname: string;
  command: string;
  labels: Record<string, string>;
  env: string[];
}

/** What the shim is told to write with; undefined for `none` (and journald, which fails). */
export type LogWriter = LogTarget & { driver: NonNullable<LogTarget['driver']> };

/** The local driver's files, under the container's directory (moby: local-logs/container.log). */
export const LOCAL_LOG_DIR = 'local-logs';
export const LOCAL_LOG_FILE = 'container.log';
/** Dual logging's cache of a driver that cannot be read back (moby: container-cached.log). */
export const CACHE_LOG_FILE = 'container-cached.log';

export interface LogFiles {
  jsonFile: string;
  localFile: string;
  cacheFile: string;
}

/** moby cache.ShouldUseCache: on unless cache-disabled says otherwise. */
export function cacheEnabled(c: Record<string, string>): boolean {
  if (!c['cache-disabled']) return true;
  const b = parseGoBool(c['cache-disabled']);
  return b === false;
}

/** The cache's own settings: the local driver's defaults, cache-max-size/-max-file/-compress. */
function cacheSettings(c: Record<string, string>, path: string): NonNullable<LogWriter['cache']> {
  const local = logWriterFor({ Type: 'local', Config: {
    ...(c['cache-max-size'] !== undefined ? { 'max-size': c['cache-max-size'] } : {}),
    ...(c['cache-max-file'] !== undefined ? { 'max-file': c['cache-max-file'] } : {}),
    ...(c['cache-compress'] !== undefined ? { compress: c['cache-compress'] } : {}),
  } }, { id: '', name: '', imageId: '', imageName: '', hostname: '', command: '', labels: {}, env: [] }, { jsonFile: '', localFile: path, cacheFile: '' });
  return { path, maxSize: local?.maxSize ?? 0, maxFile: local?.maxFile ?? 5, compress: local?.compress ?? true };
}

const failInit = (msg: string) => systemError(`failed to initialize logging driver: ${msg}`);

/**
 * The driver's New as dockerd runs it at start: every option read and checked, the tag and
 * attributes worked out. Errors are "failed to initialize logging driver: ..." as dockerd's.
 */
export function logWriterFor(cfg: LogConfig, info: LogInfo, paths: LogFiles): LogWriter | undefined {
  const c = cfg.Config;
  switch (cfg.Type) {
    case 'none':
      return undefined;
    case 'json-file': {
      let maxSize = -1;
      if (c['max-size'] !== undefined) {
        maxSize = humanSize(c['max-size'], (m) => m);
        if (maxSize <= 0) throw failInit('max-size must be a positive number');
      }
      let maxFile = 1;
      if (c['max-file'] !== undefined) {
        maxFile = goAtoi(c['max-file']);
        if (maxFile < 1) throw failInit('max-file cannot be less than 1');
      }
      let compress = false;
      if (c.compress !== undefined) {
        compress = goParseBool(c.compress);
        if (compress && (maxFile === 1 || maxSize === -1)) throw failInit('compress cannot be true when max-file is less than 2 or max-size is not set');
      }
      const attrs = extraAttributes(c, info);
      const tag = logTag(c, info, '');
      if (tag !== '') attrs.tag = tag;
      return {
        driver: 'json-file', path: paths.jsonFile, maxSize: maxSize > 0 ? maxSize : undefined, maxFile, compress,
        attrs: Object.keys(attrs).length ? goJsonMap(attrs) : undefined,
      };
    }
    case 'local': {
      let maxSize = 20 * 1024 * 1024;
      let maxFile = 5;
      let compress = true;
      if (c['max-size'] !== undefined) maxSize = humanSize(c['max-size'], (m) => `invalid value for max-size: ${c['max-size']}: ${m}`);
      if (c['max-file'] !== undefined) {
        maxFile = goAtoi(c['max-file'], (m) => `invalid value for max-file: ${c['max-file']}: ${m}`);
      }
      if (c.compress !== undefined) compress = goParseBool(c.compress, (m) => `error reading compress log option: ${m}`);
      if (maxSize < 0) throw failInit('max-size must not be negative');
      if (maxFile < 0) throw failInit('max-file must not be negative');
      if (compress && maxFile <= 1) throw failInit('compression cannot be enabled when max file count is 1');
      return { driver: 'local', path: paths.localFile, maxSize: maxSize > 0 ? maxSize : undefined, maxFile: Math.max(1, maxFile), compress };
    }
    case 'syslog': {
      const tag = logTag(c, info, '{{.ID}}');
      const { proto, address } = parseSyslogAddress(c['syslog-address'] ?? '');
      const facility = parseSyslogFacility(c['syslog-facility'] ?? '');
      if (proto === 'tcp+tls') throw failInit('syslog over tcp+tls is not supported by berthd');
      let addr = '';
      if (proto === 'unix' || proto === 'unixgram') addr = `${proto}:${address}`;
      else if (proto) {
        const i = address.lastIndexOf(':');
        let host = address.slice(0, i).replace(/^\[(.*)\]$/, '$1');
        if (host === 'localhost' || host === '') host = '127.0.0.1';
        if (!isIP(host)) throw failInit(`dial ${proto} ${address}: berthd sends syslog only to a numeric address or localhost`);
        addr = `${proto}:${host}:${address.slice(i + 1)}`;
      }
      const w: LogWriter = { driver: 'syslog', tag, syslog: { address: addr, facility, format: c['syslog-format'] ?? '' } };
      if (cacheEnabled(c)) w.cache = cacheSettings(c, paths.cacheFile);
      return w;
    }
    case 'journald':
      if (!existsSync('/run/systemd/journal/socket')) throw failInit('journald is not enabled on this host');
      throw failInit('the journald log driver is not supported by berthd');
    default:
      throw invalidParameter(`logger: no log driver named '${cfg.Type}' is registered`);
  }
}

/** moby logger.Info.ExtraAttributes: the labels and env variables the options name. */
export function extraAttributes(c: Record<string, string>, info: LogInfo): Record<string, string> {
  const extra: Record<string, string> = {};
  if (c.labels) {
    for (const l of c.labels.split(',')) if (Object.hasOwn(info.labels, l)) extra[l] = info.labels[l];
  }
  if (c['labels-regex']) {
    const re = goRegexp(c['labels-regex']);
    for (const [k, v] of Object.entries(info.labels)) if (re.test(k)) extra[k] = v;
  }
  const env: Record<string, string> = {};
  for (const e of info.env) {
    const i = e.indexOf('=');
    if (i >= 0) env[e.slice(0, i)] = e.slice(i + 1);
  }
  if (c.env) {
    for (const l of c.env.split(',')) if (Object.hasOwn(env, l)) extra[l] = env[l];
  }
  if (c['env-regex']) {
    const re = goRegexp(c['env-regex']);
    for (const [k, v] of Object.entries(env)) if (re.test(k)) extra[k] = v;
  }
  return extra;
}

/**
 * loggerutils.ParseLogTag: the `tag` option (default `dflt`) as a template over the
 * container's fields. Only `{{.Field}}` actions are understood (what people write in tags).
 */
export function logTag(c: Record<string, string>, info: LogInfo, dflt: string): string {
  const template = c.tag || dflt;
  const fields: Record<string, string> = {
    ID: info.id.slice(0, 12), FullID: info.id, Name: info.name.replace(/^\//, ''), ImageID: info.imageId.slice(0, 12),
    ImageFullID: info.imageId, ImageName: info.imageName, Hostname: info.hostname, Command: info.command, DaemonName: 'docker',
  };
  return template.replace(/\{\{\s*\.(\w+)\s*\}\}|\{\{[^}]*\}\}/g, (all: string, field: string | undefined, offset: number) => {
    if (field === undefined || !Object.hasOwn(fields, field)) {
      // text/template's words: line:column of the action's node, then what failed.
      const before = template.slice(0, offset);
      const line = before.split('\n').length;
      const col = offset - (before.lastIndexOf('\n') + 1) + all.indexOf('.');
      const what = field === undefined ? all.slice(2, -2).trim() : `.${field}`;
      throw failInit(`template: log-tag:${line}:${col}: executing "log-tag" at <${what}>: can't evaluate field ${field ?? what} in type *logger.Info`);
    }
    return fields[field];
  });
}

/** encoding/json of a map[string]string: keys sorted, Go's escaping of <, >, &. */
function goJsonMap(m: Record<string, string>): string {
  const keys = Object.keys(m).sort();
  const esc = (s: string) => JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `{${keys.map((k) => `${esc(k)}:${esc(m[k])}`).join(',')}}`;
}

function goRegexp(src: string): RegExp {
  try {
    return new RegExp(src);
  } catch (e) {
    // Go's regexp words the common mistakes its own way; the rest keep V8's words.
    const m = (e as Error).message;
    if (/Unterminated group/.test(m)) throw failInit(`error parsing regexp: missing closing ): \`${src}\``);
    if (/Unmatched '\)'/.test(m)) throw failInit(`error parsing regexp: unexpected ): \`${src}\``);
    if (/Unterminated character class/.test(m)) throw failInit(`error parsing regexp: missing closing ]: \`${src.slice(src.lastIndexOf('['))}\``);
    throw failInit(`error parsing regexp: ${m}`);
  }
}

function humanSize(text: string, wrap: (m: string) => string): number {
  try {
    return fromHumanSize(text);
  } catch (e) {
    throw failInit(wrap(e instanceof ByteSizeError ? e.message : String(e)));
  }
}

function goAtoi(text: string, wrap: (m: string) => string = (m) => m): number {
  if (!/^[+-]?\d+$/.test(text)) throw failInit(wrap(`strconv.Atoi: parsing ${JSON.stringify(text)}: invalid syntax`));
  return Number(text);
}

function parseGoBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

function goParseBool(text: string, wrap: (m: string) => string = (m) => m): boolean {
  const b = parseGoBool(text);
  if (b === undefined) throw failInit(wrap(`strconv.ParseBool: parsing ${JSON.stringify(text)}: invalid syntax`));
  return b;
}
