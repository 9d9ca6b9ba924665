// --mount type=bind|volume|tmpfs,source=..,target=..,readonly,... (docker's opts.MountOpt).
import { resolve } from 'node:path';
import { readCsvLine } from './csv.ts';
import { OptionError } from './errors.ts';
import { parseGoBool } from './go-strconv.ts';
import { ramInBytes } from './mem-bytes.ts';

export interface Mount {
  Type: string;
  Source?: string;
  Target?: string;
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: { Propagation?: string; NonRecursive?: boolean; CreateMountpoint?: boolean; ReadOnlyNonRecursive?: boolean; ReadOnlyForceRecursive?: boolean };
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string>; Subpath?: string; DriverConfig?: { Name?: string; Options?: Record<string, string> } };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
}

function bool(key: string, val: string): boolean {
  const b = parseGoBool(val);
  if (b === undefined) throw new OptionError(`invalid value for ${key}: ${val}`);
  return b;
}

function setOnMap(target: Record<string, string>, value: string): void {
  const i = value.indexOf('=');
  const k = i < 0 ? value : value.slice(0, i);
  if (k !== '') target[k] = i < 0 ? '' : value.slice(i + 1);
}

export function parseMount(value: string, cwd = process.cwd()): Mount {
  const fields = readCsvLine(value);
  let type = 'volume';
  let source: string | undefined;
  let target: string | undefined;
  let readOnly = false;
  let consistency: string | undefined;
  let bindOpts: NonNullable<Mount['BindOptions']> | undefined;
  let volOpts: NonNullable<Mount['VolumeOptions']> | undefined;
  let tmpfsOpts: NonNullable<Mount['TmpfsOptions']> | undefined;
  const bind = () => (bindOpts ??= {});
  const vol = () => {
    volOpts ??= { Labels: {} };
    volOpts.DriverConfig ??= {};
    return volOpts;
  };
  const tmpfs = () => (tmpfsOpts ??= {});

  for (const field of fields) {
    const eq = field.indexOf('=');
    const key = eq < 0 ? field : field.slice(0, eq);
    const val = eq < 0 ? '' : field.slice(eq + 1);
    if (eq < 0) {
      if (key === 'readonly' || key === 'ro') readOnly = true;
      else if (key === 'volume-nocopy') vol().NoCopy = true;
      else if (key === 'bind-nonrecursive') bind().NonRecursive = true;
      else throw new OptionError(`invalid field '${field}' must be a key=value pair`);
      continue;
    }
    switch (key) {
      case 'type':
        type = val.toLowerCase();
        break;
      case 'source':
      case 'src':
        source = val;
        if (val === '.' || val.startsWith('./')) source = resolve(cwd, val);
        break;
      case 'target':
      case 'dst':
      case 'destination':
        target = val;
        break;
      case 'readonly':
      case 'ro':
        readOnly = bool(key, val);
        break;
      case 'consistency':
        consistency = val.toLowerCase();
        break;
      case 'bind-propagation':
        bind().Propagation = val.toLowerCase();
        break;
      case 'bind-nonrecursive':
        bind().NonRecursive = bool(key, val);
        break;
      case 'bind-create-src':
        bind().CreateMountpoint = bool(key, val);
        break;
      case 'volume-nocopy':
        if (parseGoBool(val) === undefined) throw new OptionError(`invalid value for volume-nocopy: ${val}`);
        vol().NoCopy = parseGoBool(val);
        break;
      case 'volume-label':
        setOnMap(vol().Labels!, val);
        break;
      case 'volume-driver':
        vol().DriverConfig!.Name = val;
        break;
      case 'volume-subpath':
        vol().Subpath = val;
        break;
      case 'volume-opt':
        setOnMap((vol().DriverConfig!.Options ??= {}), val);
        break;
      case 'tmpfs-size':
        try {
          tmpfs().SizeBytes = ramInBytes(val);
        } catch {
          throw new OptionError(`invalid value for ${key}: ${val}`);
        }
        break;
      case 'tmpfs-mode':
        if (!/^[0-7]+$/.test(val)) throw new OptionError(`invalid value for ${key}: ${val}`);
        tmpfs().Mode = parseInt(val, 8);
        if (tmpfs().Mode! > 0xffffffff) throw new OptionError(`invalid value for ${key}: ${val}`);
        break;
      default:
        throw new OptionError(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (type === '') throw new OptionError('type is required');
  if (!target) throw new OptionError('target is required');
  if (volOpts && type !== 'volume') throw new OptionError(`cannot mix 'volume-*' options with mount type '${type}'`);
  if (bindOpts && type !== 'bind') throw new OptionError(`cannot mix 'bind-*' options with mount type '${type}'`);
  if (tmpfsOpts && type !== 'tmpfs') throw new OptionError(`cannot mix 'tmpfs-*' options with mount type '${type}'`);

  // Field order and omitted empties as in the Go struct's JSON.
  const m: Mount = { Type: type };
  if (source) m.Source = source;
  m.Target = target;
  if (readOnly) m.ReadOnly = true;
  if (consistency) m.Consistency = consistency;
  if (bindOpts) m.BindOptions = dropEmpty(bindOpts);
  if (volOpts) {
    const v: NonNullable<Mount['VolumeOptions']> = {};
    if (volOpts.NoCopy) v.NoCopy = true;
    if (volOpts.Labels && Object.keys(volOpts.Labels).length) v.Labels = volOpts.Labels;
    if (volOpts.Subpath) v.Subpath = volOpts.Subpath;
    v.DriverConfig = dropEmpty({ Name: volOpts.DriverConfig?.Name, Options: volOpts.DriverConfig?.Options });
    m.VolumeOptions = v;
  }
  if (tmpfsOpts) m.TmpfsOptions = dropEmpty(tmpfsOpts);
  return m;
}

function dropEmpty<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || v === false || v === '' || v === 0) continue;
    if (typeof v === 'object' && v !== null && Object.keys(v).length === 0) continue;
    out[k] = v;
  }
  return out as T;
}

