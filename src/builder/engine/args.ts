// Build arguments as moby's classic builder scopes them (builder/dockerfile/buildargs.go):
// - meta ARGs (before the first FROM) are visible to FROM lines, and inside a stage only when
//   the stage redeclares them (`ARG NAME` without a value takes the meta value);
// - a --build-arg overrides a declared ARG's default (a null one does not);
// - the proxy variables are allowed without a declaration, and kept out of the history unless
//   declared ("transparent");
// - BuildKit's automatic platform ARGs (TARGETPLATFORM, BUILDARCH, ...) are meta defaults.

/** moby builtinAllowedBuildArgs. */
const BUILTIN_ARGS = new Set(['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy']);

export class BuildArgs {
  /** Args declared in the current stage (value: default as written after expansion, or undefined). */
  private allowed = new Map<string, string | undefined>();
  private readonly meta: Map<string, string | undefined>;
  /** Every ARG name a Dockerfile declared (for the "not consumed" warning); shared by the stages. */
  private readonly referenced: Set<string>;
  private readonly fromOptions: Record<string, string | null>;

  constructor(fromOptions: Record<string, string | null>, meta = new Map<string, string | undefined>(), referenced = new Set<string>()) {
    this.fromOptions = fromOptions;
    this.meta = meta;
    this.referenced = referenced;
  }

  /** A stage's args: the meta args and references shared, nothing allowed yet (moby newDispatchState). */
  forStage(): BuildArgs {
    return new BuildArgs(this.fromOptions, new Map(this.meta), this.referenced);
  }

  addArg(key: string, value: string | undefined): void {
    this.allowed.set(key, value);
    this.referenced.add(key);
  }

  addMetaArg(key: string, value: string | undefined): void {
    this.meta.set(key, value);
  }

  /** A meta default the user cannot see as a declaration (platform args): never reported as unused. */
  addAutomaticMetaArg(key: string, value: string): void {
    if (!this.meta.has(key)) this.meta.set(key, value);
  }

  private resolve(key: string, mapping: Map<string, string | undefined>): string | undefined {
    const override = this.fromOptions[key];
    if (Object.hasOwn(this.fromOptions, key) && typeof override === 'string') return override;
    const def = mapping.get(key);
    if (def === undefined) return this.meta.get(key);
    return def;
  }

  private all(mapping: Map<string, string | undefined>): Map<string, string> {
    const out = new Map<string, string>();
    const keys = new Set([...mapping.keys(), ...BUILTIN_ARGS]);
    for (const key of [...keys].sort()) {
      if (!mapping.has(key) && !BUILTIN_ARGS.has(key)) continue;
      const v = mapping.has(key) ? this.resolve(key, mapping) : this.resolveBuiltin(key);
      if (v !== undefined) out.set(key, v);
    }
    return out;
  }

  private resolveBuiltin(key: string): string | undefined {
    const v = this.fromOptions[key];
    return typeof v === 'string' ? v : undefined;
  }

  /** Args a step may expand and a RUN receives (moby GetAllAllowed). */
  allAllowed(): Map<string, string> {
    return this.all(this.allowed);
  }

  /** Args a FROM line may expand (moby GetAllMeta). */
  allMeta(): Map<string, string> {
    return this.all(this.meta);
  }

  /** `k=v` for every allowed arg not shadowed by an ENV of `env` (moby FilterAllowed), sorted by key. */
  filterAllowed(env: readonly string[]): string[] {
    const envKeys = new Set(env.map((e) => e.split('=', 1)[0]));
    const out: string[] = [];
    for (const [k, v] of this.allAllowed()) if (!envKeys.has(k)) out.push(`${k}=${v}`);
    return out;
  }

  /** False for a proxy arg the Dockerfile did not declare: kept out of the history and cache key. */
  isReferencedOrNotBuiltin(key: string): boolean {
    return this.allowed.has(key) || !BUILTIN_ARGS.has(key);
  }

  /** moby WarnOnUnusedBuildArgs: build args neither declared anywhere nor builtin, in option order. */
  unused(): string[] {
    return Object.keys(this.fromOptions).filter((k) => !this.referenced.has(k) && !BUILTIN_ARGS.has(k));
  }
}
