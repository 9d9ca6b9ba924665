// Tar reading and writing for layers, `docker cp`, `save`/`load` and build contexts.
export { readTar } from './tar-reader.ts';
export type { TarEntry, TarLimits } from './tar-reader.ts';
export { TarWriter } from './tar-writer.ts';
export type { TarHeader } from './tar-writer.ts';
// For tests that craft raw (malformed) headers.
export { computeChecksum } from './tar-format.ts';
export { detectCompression, decompressStream } from './compression.ts';
