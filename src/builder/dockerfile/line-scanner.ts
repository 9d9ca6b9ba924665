// The Dockerfile text to raw nodes, one per instruction: BuildKit parser.Parse. Handles the
// BOM, CRLF, parser directives, the escape token as line continuation, comment lines (also
// inside continuations, where they are dropped), empty continuation lines (a warning) and
// heredoc bodies.

import { DirectiveParser, escapeToken } from './directives.ts';
import { locatedError } from './errors.ts';
import { trimGoSpaceLeft } from './go-text.ts';
import { heredocsFromLine } from './heredoc.ts';
import { buildNode, canContainHeredoc, NodeError, type Node } from './node.ts';

export interface ScanResult {
  nodes: Node[];
  directives: Record<string, string>;
  escapeToken: string;
  warnings: { line: number; message: string }[];
}

/** Physical lines, each with its line ending (BuildKit's scanLines). */
function physicalLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

const trimNewline = (s: string) => s.replace(/[\r\n]+$/, '');
const trimLeadingWhitespace = trimGoSpaceLeft;
const isComment = (s: string) => trimLeadingWhitespace(s).startsWith('#');

function continuationRegex(esc: string): RegExp {
  const e = esc === '\\' ? '\\\\' : esc;
  // the escape token as the last non-blank character, unless itself escaped
  return new RegExp(`([^${e}])${e}[ \\t]*$|^${e}[ \\t]*$`);
}

/** bufio.Scanner's default limit, which BuildKit keeps. */
const MAX_LINE_BYTES = 64 * 1024;

export function scanDockerfile(text: string): ScanResult {
  let lines = physicalLines(text);
  const tooLong = lines.findIndex((l) => Buffer.byteLength(l) > MAX_LINE_BYTES);
  if (tooLong >= 0) lines = lines.slice(0, tooLong);
  const directives = new DirectiveParser();
  let esc = '\\';
  let contRe = continuationRegex(esc);
  const nodes: Node[] = [];
  const warnings: ScanResult['warnings'] = [];
  let currentLine = 0;
  let i = 0;

  /** trimNewline, optional left trim, directive check, comment removal (processLine). */
  const processLine = (raw: string, stripLeft: boolean): string => {
    let token = trimNewline(raw);
    if (stripLeft) token = trimLeadingWhitespace(token);
    try {
      const d = directives.parseLine(token);
      if (d?.name === 'escape') {
        esc = escapeToken(d.value);
        contRe = continuationRegex(esc);
      }
    } catch (err) {
      throw locatedError((err as Error).message, currentLine + 1);
    }
    return isComment(token) ? '' : token;
  };
  const trimContinuation = (line: string): { line: string; end: boolean } =>
    contRe.test(line) ? { line: line.replace(contRe, '$1'), end: false } : { line, end: true };

  while (i < lines.length) {
    let raw = lines[i++];
    if (currentLine === 0) raw = raw.replace(/^\uFEFF/, '');
    const first = processLine(raw, true);
    currentLine++;
    const startLine = currentLine;
    let { line, end } = trimContinuation(first);
    if (end && line === '') continue;

    let hasEmptyContinuation = false;
    while (!end && i < lines.length) {
      const rawNext = lines[i++];
      const next = processLine(rawNext, false);
      currentLine++;
      if (isComment(rawNext)) continue; // comments inside continuations are dropped
      if (trimLeadingWhitespace(trimNewline(next)) === '') {
        hasEmptyContinuation = true;
        continue;
      }
      const t = trimContinuation(next);
      line += t.line;
      end = t.end;
    }
    if (hasEmptyContinuation) warnings.push({ line: currentLine, message: `Empty continuation line found in: ${line}` });

    let node: Node;
    try {
      node = buildNode(line, esc);
    } catch (err) {
      if (err instanceof NodeError) throw locatedError(err.message, startLine, currentLine);
      throw err;
    }

    if (canContainHeredoc(node) && line.includes('<<')) {
      let docs;
      try {
        docs = heredocsFromLine(line);
      } catch (err) {
        throw locatedError((err as Error).message, startLine, currentLine);
      }
      for (const doc of docs) {
        let terminated = false;
        while (i < lines.length) {
          const body = lines[i++];
          currentLine++;
          let candidate = trimNewline(body);
          if (doc.chomp) candidate = candidate.replace(/^\t+/, '');
          if (candidate === doc.name) {
            terminated = true;
            break;
          }
          doc.content += body;
        }
        if (!terminated) throw locatedError('unterminated heredoc', startLine, currentLine);
        node.heredocs.push(doc);
      }
    }
    node.startLine = startLine;
    node.endLine = currentLine;
    nodes.push(node);
  }
  if (nodes.length === 0) throw locatedError('file with no instructions', Math.max(currentLine, 1));
  if (tooLong >= 0) throw locatedError(`dockerfile line greater than max allowed size of ${MAX_LINE_BYTES - 1}`, Math.max(currentLine, 1));
  return { nodes, directives: { ...directives.found }, escapeToken: esc, warnings };
}
