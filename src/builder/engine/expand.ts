// Variable expansion at dispatch time (moby evaluator.go dispatch()): a step sees the config's
// Env plus the build args the stage allows that no ENV shadows; FROM lines see the meta args.
import type { StageState, StepContext } from './session.ts';

function toMap(list: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const kv of list) {
    const i = kv.indexOf('=');
    const k = i < 0 ? kv : kv.slice(0, i);
    if (!m.has(k)) m.set(k, i < 0 ? '' : kv.slice(i + 1));
  }
  return m;
}

/** The variables a step's words expand with. */
export function stepEnv(state: StageState): Map<string, string> {
  const env = state.runConfig.Env ?? [];
  return toMap([...env, ...state.args.filterAllowed(env)]);
}

export function expandWord(ctx: StepContext, word: string, env = stepEnv(ctx.state)): string {
  return ctx.session.lex.processWord(word, env).word;
}

/** EXPOSE's expansion: one word may become several (`EXPOSE $PORTS`). */
export function expandWords(ctx: StepContext, word: string, env = stepEnv(ctx.state)): string[] {
  return ctx.session.lex.processWords(word, env);
}
