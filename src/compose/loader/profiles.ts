// Profiles (compose-go Project.WithProfiles / WithServicesEnabled): a service with `profiles` is
// active only when one of them is selected (`*` selects all); a service named on the command line
// is enabled with what it depends on.
import { ComposeError } from '../errors.ts';
import type { Project, ServiceConfig } from '../types.ts';

function isActive(s: ServiceConfig, profiles: string[]): boolean {
  if (!s.profiles || s.profiles.length === 0) return true;
  if (profiles.includes('*')) return true;
  return s.profiles.some((p) => profiles.includes(p));
}

/** Moves the services outside `profiles` to disabled_services. */
export function applyProfiles(project: Project, profiles: string[]): Project {
  const all = { ...project.services, ...project.disabled_services };
  const services: Record<string, ServiceConfig> = {};
  const disabled: Record<string, ServiceConfig> = {};
  for (const [name, s] of Object.entries(all)) (isActive(s, profiles) ? services : disabled)[name] = s;
  return { ...project, services, disabled_services: disabled, profiles: [...profiles] };
}

/** The project with `names` and everything they depend on enabled ("no such service: x" for an unknown name). */
export function withServicesEnabled(project: Project, names: string[]): Project {
  const services = { ...project.services };
  const disabled = { ...project.disabled_services };
  const enable = (name: string): void => {
    if (services[name]) return;
    const s = disabled[name];
    if (!s) throw new ComposeError(`no such service: ${name}`);
    delete disabled[name];
    services[name] = s;
    for (const [dep, cfg] of Object.entries(s.depends_on ?? {})) if (cfg.required !== false || disabled[dep]) enable(dep);
  };
  for (const n of names) {
    if (!services[n] && !disabled[n]) throw new ComposeError(`no such service: ${n}`);
    enable(n);
    for (const [dep, cfg] of Object.entries(services[n]!.depends_on ?? {})) if (disabled[dep] && cfg.required !== false) enable(dep);
  }
  return { ...project, services, disabled_services: disabled };
}

/** An enabled service may not depend on a disabled one (compose-go's message). */
export function checkEnabledDependencies(project: Project): void {
  for (const s of Object.values(project.services)) {
    for (const [dep, cfg] of Object.entries(s.depends_on ?? {})) {
      const d = project.disabled_services[dep];
      if (d && cfg.required !== false) {
        throw new ComposeError(`service ${dep} is required by ${s.name} but is disabled. Can be enabled by profiles [${(d.profiles ?? []).join(' ')}]`);
      }
    }
  }
}

/** `config --profiles`: every profile a service names, sorted. */
export function allProfiles(project: Project): string[] {
  const set = new Set<string>();
  for (const s of [...Object.values(project.services), ...Object.values(project.disabled_services)]) for (const p of s.profiles ?? []) set.add(p);
  return [...set].sort();
}
