// The two ways docker reports a bad `run`/`create` option: a flag whose value fails its own
// check ("invalid argument "5x" for "-m, --memory" flag: ..." followed by usage), and a check
// made while building the request ("docker: conflicting options: ...").

/** A flag value rejected by the flag's own parser (pflag's Set). */
export class FlagValueError extends Error {
  readonly flag: string;
  readonly value: string;
  readonly reason: string;
  constructor(flag: string, value: string, reason: string) {
    super(`invalid argument "${value}" for "${flag}" flag: ${reason}`);
    this.flag = flag;
    this.value = value;
    this.reason = reason;
  }
}

/** A problem found while turning the flags into the create request. */
export class OptionError extends Error {}

