// A string `command:` / `entrypoint:` split into words as compose-go does it (mattn/go-shellwords
// without environment expansion): blanks separate words, single quotes keep everything, double
// quotes keep everything but `\"`, `\\`, `\$` and `` \` ``, a backslash outside quotes escapes the
// next character. Hand-written: a dozen lines, and npm's shell-quote also expands operators.
import { ComposeError } from '../errors.ts';

export function shellSplit(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) word += line[++i];
      else word += c;
      continue;
    }
    if (c === '\\') {
      if (i + 1 < line.length) word += line[++i];
      inWord = true;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
      continue;
    }
    word += c;
    inWord = true;
  }
  if (quote) throw new ComposeError(`invalid command line string: ${JSON.stringify(line)}`);
  if (inWord) words.push(word);
  return words;
}
