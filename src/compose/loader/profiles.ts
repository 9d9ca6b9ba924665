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

/**
 * The project with `names` enabled: their profiles join the active ones (compose-go's
 * WithServicesEnabled, what `docker compose up <service>` does). "no such service: x" for a name
 * the project does not have.
 */
export function withServicesEnabled(project: Project, names: string[]): Project {
  const profiles = [...project.profiles];
  for (const n of names) {
    if (project.services[n]) continue;
    const s = project.disabled_services[n];
    if (!s) throw new ComposeError(`no such service: ${n}`);
    for (const p of s.profiles ?? []) if (!profiles.includes(p)) profiles.push(p);
  }
  return applyProfiles(project, profiles);
}

/** An enabled service may not require a disabled one (compose-go's service graph says so, profiles as a Go slice). */
export function checkEnabledDependencies(project: Project): void {
  for (const s of Object.values(project.services)) {
    for (const [dep, cfg] of Object.entries(s.depends_on ?? {})) {
      const d = project.disabled_services[dep];
      if (d && cfg.required !== false) {
        throw new ComposeError(`service "${dep}" is required by "${s.name}" but is disabled. Can be enabled by profiles [${(d.profiles ?? []).join(' ')}]`);
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
