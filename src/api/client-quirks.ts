// Clients whose needs outlive the API version they negotiate. Each quirk names the client, the
// field and why; handlers ask here instead of reading User-Agent themselves.

/**
 * docker-compose 1.x (python, docker-py; User-Agent `docker-compose/1.29.2 docker-py/5.0.3 ...`)
 * negotiates the daemon's newest API version, then reads the image's `ContainerConfig` each time
 * it recreates a container (compose/service.py get_container_data_volumes, for the image's
 * anonymous volumes) and fails with `KeyError: 'ContainerConfig'` where API 1.45 dropped it.
 * It fails so against dockerd 26 and later too; against the dockerd of its day (20.10, API 1.41)
 * it works, and so it does against berthd: such a client still gets the two legacy fields.
 */
export function readsLegacyImageFields(userAgent: string | undefined): boolean {
  return typeof userAgent === 'string' && /^docker-compose\/1\./.test(userAgent);
}
