// Docker's detach-keys syntax ("ctrl-p,ctrl-q", "ctrl-a,x", "DEL"), shared by the CLI (what it
// watches for on the terminal) and the daemon (the attach/exec DetachKeys parameter).
// Hand-written: it is Docker-specific (moby/term ToBytes), so the bytes and error match it.

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

// moby/term's ASCII table: index i is the control code i.
const CTRL_NAMES = [
  'ctrl-@', 'ctrl-a', 'ctrl-b', 'ctrl-c', 'ctrl-d', 'ctrl-e', 'ctrl-f', 'ctrl-g', 'ctrl-h', 'ctrl-i', 'ctrl-j', 'ctrl-k', 'ctrl-l', 'ctrl-m',
  'ctrl-n', 'ctrl-o', 'ctrl-p', 'ctrl-q', 'ctrl-r', 'ctrl-s', 'ctrl-t', 'ctrl-u', 'ctrl-v', 'ctrl-w', 'ctrl-x', 'ctrl-y', 'ctrl-z',
  'ctrl-[', 'ctrl-\\', 'ctrl-]', 'ctrl-^', 'ctrl-_',
];

/**
 * The bytes of a detach-keys spec, as moby/term ToBytes: each comma-separated key is one byte
 * (Go's len, so "é" is two bytes and not a key), a ctrl- name or DEL; anything else (an empty
 * key too) throws "Unknown character: 'x'".
 */
export function parseDetachKeys(spec: string): Buffer {
  const codes: number[] = [];
  for (const key of spec.split(',')) {
    const bytes = Buffer.from(key);
    if (bytes.length === 1) {
      codes.push(bytes[0]);
      continue;
    }
    const code = CTRL_NAMES.indexOf(key);
    if (code >= 0) codes.push(code);
    else if (key === 'DEL') codes.push(127);
    else throw new Error(`Unknown character: '${key}'`);
  }
  return Buffer.from(codes);
}
