// Go's strconv.ParseBool, the one place berth reads a boolean the way Go does (CLI flags and
// option values, API filters). Docker's query booleans are a different rule: api/request.ts.

/** true/false for Go's spellings, undefined for anything else (callers word their own error). */
export function parseGoBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}
