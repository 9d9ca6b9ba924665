// "(did you mean X?)" suggestions: BuildKit util/suggest. The closest option within an edit
// distance of 2; ties go to the first option in the list (BuildKit iterates a Go map, so its
// pick among ties is arbitrary; ours is stable).

function levenshtein(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[y.length];
}

function matchCase(val: string, orig: string): string {
  if (orig === orig.toLowerCase()) return val.toLowerCase();
  if (orig === orig.toUpperCase()) return val.toUpperCase();
  return val;
}

/** `message` with ` (did you mean X?)` appended when an option is close to `value`. */
export function withSuggestion(message: string, value: string, options: readonly string[], caseSensitive: boolean): string {
  const val = caseSensitive ? value : value.toLowerCase();
  let match = '';
  let min = 3;
  for (const o of options) {
    const opt = caseSensitive ? o : o.toLowerCase();
    if (opt === val) return message; // an exact match: the error is about something else
    const d = levenshtein(val, opt);
    if (d < min) {
      match = caseSensitive ? opt : matchCase(opt, value);
      min = d;
    }
  }
  return match === '' ? message : `${message} (did you mean ${match}?)`;
}
