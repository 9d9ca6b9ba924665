// distribution's on-disk layout (registry/storage/paths.go), for any driver:
//   /docker/registry/v2/blobs/sha256/<2 hex>/<hex>/data
//   /docker/registry/v2/repositories/<name>/_layers/sha256/<hex>/link
//   .../_manifests/revisions/sha256/<hex>/link
//   .../_manifests/tags/<tag>/current/link and .../_manifests/tags/<tag>/index/sha256/<hex>/link
//   .../_uploads/<id>/data and .../_uploads/<id>/startedat
// A link file holds the digest it points at (`sha256:<hex>`).

const V2 = '/docker/registry/v2';
export const BLOBS = `${V2}/blobs`;
export const REPOS = `${V2}/repositories`;

function split(digest: string): [string, string] {
  const i = digest.indexOf(':');
  return [digest.slice(0, i), digest.slice(i + 1)];
}

export const blobDir = (digest: string) => {
  const [alg, hex] = split(digest);
  return `${BLOBS}/${alg}/${hex.slice(0, 2)}/${hex}`;
};
export const blobData = (digest: string) => `${blobDir(digest)}/data`;
export const repoDir = (name: string) => `${REPOS}/${name}`;
export const layersDir = (name: string) => `${repoDir(name)}/_layers`;
export const layerLink = (name: string, digest: string) => `${layersDir(name)}/${split(digest).join('/')}/link`;
export const revisionsDir = (name: string) => `${repoDir(name)}/_manifests/revisions`;
export const revisionLink = (name: string, digest: string) => `${revisionsDir(name)}/${split(digest).join('/')}/link`;
export const tagsDir = (name: string) => `${repoDir(name)}/_manifests/tags`;
export const tagDir = (name: string, tag: string) => `${tagsDir(name)}/${tag}`;
export const tagCurrentLink = (name: string, tag: string) => `${tagDir(name, tag)}/current/link`;
export const tagIndexLink = (name: string, tag: string, digest: string) =>
  `${tagDir(name, tag)}/index/${split(digest).join('/')}/link`;
export const uploadsDir = (name: string) => `${repoDir(name)}/_uploads`;
export const uploadDir = (name: string, id: string) => `${uploadsDir(name)}/${id}`;
export const uploadData = (name: string, id: string) => `${uploadDir(name, id)}/data`;
export const uploadStartedAt = (name: string, id: string) => `${uploadDir(name, id)}/startedat`;

/** The last path segment. */
export const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);
