// Signal names and numbers as Docker accepts them: "KILL", "SIGKILL", "9", "SIGRTMIN+3".
import { invalidParameter } from '../../common/index.ts';
import { constants } from 'node:os';

const SIGRTMIN = 34;
const SIGRTMAX = 64;

export function signalNumber(text: string | number): number {
  if (typeof text === 'number') return validNumber(text, String(text));
  const t = text.trim().toUpperCase();
  if (/^\d+$/.test(t)) return validNumber(Number(t), text);
  const name = t.startsWith('SIG') ? t : `SIG${t}`;
  const rt = /^SIGRTM(IN|AX)([+-]\d+)?$/.exec(name);
  if (rt) return validNumber((rt[1] === 'IN' ? SIGRTMIN : SIGRTMAX) + Number(rt[2] ?? 0), text);
  const n = (constants.signals as Record<string, number>)[name];
  if (n === undefined) throw invalidParameter(`Invalid signal: ${text}`);
  return n;
}

function validNumber(n: number, text: string): number {
  if (!Number.isInteger(n) || n < 1 || n > SIGRTMAX) throw invalidParameter(`Invalid signal: ${text}`);
  return n;
}
