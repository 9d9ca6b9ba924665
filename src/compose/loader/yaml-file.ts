// Compose files as YAML 1.2 (the `yaml` package): anchors, aliases, `<<` merge keys, the `!reset`
// and `!override` tags of compose-go's override rules, several documents merged in order, and the
// line of every key so that later errors can point into the file.
import { parseAllDocuments, isAlias, isMap, isScalar, isSeq, LineCounter, type Document, type Node } from 'yaml';
import { ComposeError } from '../errors.ts';

/** A value tagged `!reset` (drop what earlier files set) or `!override` (replace, do not merge). */
export class Tagged {
  readonly tag: '!reset' | '!override';
  readonly value: unknown;
  constructor(tag: '!reset' | '!override', value: unknown) {
    this.tag = tag;
    this.value = value;
  }
}

/** Lines (1-based) of the keys and sequence items of one file, by dotted path ('services.web.ports.0'). */
export type LineIndex = Map<string, number>;

export interface ParsedFile {
  value: Record<string, unknown>;
  lines: LineIndex;
}

/** Parses one compose file; throws ComposeError naming the file and line on bad YAML. */
export function parseComposeYaml(text: string, filename: string): ParsedFile {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { merge: true, lineCounter, uniqueKeys: true });
  if (!Array.isArray(docs)) return { value: {}, lines: new Map() };
  const lines: LineIndex = new Map();
  let merged: Record<string, unknown> | undefined;
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) {
      const line = err.linePos?.[0].line;
      const msg = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      throw new ComposeError(`failed to parse ${filename}: yaml: ${line ? `line ${line}: ` : ''}${msg}`);
    }
    const conv = new Converter(doc, lineCounter, lines);
    const value = doc.contents === null ? {} : conv.node(doc.contents, '');
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value) || value instanceof Tagged) {
      throw new ComposeError(`failed to parse ${filename}: top-level object must be a mapping`);
    }
    merged = merged ? { ...merged, ...(value as Record<string, unknown>) } : (value as Record<string, unknown>);
  }
  return { value: merged ?? {}, lines };
}

class Converter {
  private readonly doc: Document.Parsed;
  private readonly lc: LineCounter;
  private readonly lines: LineIndex;
  private depth = 0;
  private nodes = 0;
  private aliases = 0;
  constructor(doc: Document.Parsed, lc: LineCounter, lines: LineIndex) {
    this.doc = doc;
    this.lc = lc;
    this.lines = lines;
  }

  private mark(path: string, node: { range?: [number, number, number] | null } | null | undefined): void {
    if (path && node?.range && !this.lines.has(path)) this.lines.set(path, this.lc.linePos(node.range[0]).line);
  }

  node(n: unknown, path: string): unknown {
    if (++this.depth > 1000) throw new ComposeError('failed to parse: yaml: document nested too deeply');
    try {
      return this.convert(n, path);
    } finally {
      this.depth--;
    }
  }

  private convert(n: unknown, path: string): unknown {
    // Aliases are expanded into copies: a file of nested aliases would grow exponentially
    // ("billion laughs"), refused as Go's YAML refuses it.
    if (++this.nodes > 1_000_000 && this.aliases > 0) throw new ComposeError('failed to parse: yaml: document contains excessive aliasing');
    if (isAlias(n)) {
      this.aliases++;
      return this.node(n.resolve(this.doc), path);
    }
    const tag = (n as Node | null)?.tag;
    let value: unknown;
    if (isScalar(n)) {
      // Go's YAML (yaml.v3, which compose-go uses) reads a plain 0755 as octal, as YAML 1.1 did.
      value = n.type === 'PLAIN' && typeof n.source === 'string' && /^0[0-7]+$/.test(n.source) ? parseInt(n.source, 8) : n.value;
    }
    else if (isSeq(n)) value = n.items.map((item, i) => {
      const p = join(path, String(i));
      this.mark(p, item as Node);
      return this.node(item, p);
    });
    else if (isMap(n)) {
      const out: Record<string, unknown> = {};
      const merges: Record<string, unknown>[] = [];
      for (const pair of n.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (typeof key === 'symbol' || (isScalar(pair.key) && pair.key.source === '<<' && key === '<<')) {
          const src = this.node(pair.value, path);
          for (const m of Array.isArray(src) ? src : [src]) {
            if (m && typeof m === 'object' && !Array.isArray(m)) merges.push(m as Record<string, unknown>);
          }
          continue;
        }
        const k = key === null || key === undefined ? 'null' : String(key);
        const p = join(path, k);
        this.mark(p, pair.key as Node);
        out[k] = this.node(pair.value, p);
      }
      // Merge keys add what the mapping does not set itself, the first merged source winning.
      for (const m of merges) for (const [k, v] of Object.entries(m)) if (!Object.hasOwn(out, k)) out[k] = v;
      value = out;
    } else value = null;
    if (tag === '!reset' || tag === '!override') return new Tagged(tag, value);
    return value;
  }
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** The line of `path` or of its nearest ancestor found in `lines`. */
export function lineOf(lines: LineIndex | undefined, path: string): number | undefined {
  if (!lines) return undefined;
  let p = path;
  for (;;) {
    const l = lines.get(p);
    if (l !== undefined) return l;
    const dot = p.lastIndexOf('.');
    if (dot < 0) return undefined;
    p = p.slice(0, dot);
  }
}
