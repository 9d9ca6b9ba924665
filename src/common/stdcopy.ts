// Docker's multiplexed stream format for attach/exec/logs without a TTY: an 8-byte header
// [stream, 0, 0, 0, size uint32 BE] before each frame (moby stdcopy). Shared by the API server
// and the CLI.

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const SYSTEMERR = 3;

export type StreamKind = typeof STDIN | typeof STDOUT | typeof STDERR | typeof SYSTEMERR;

export function muxFrame(stream: StreamKind, data: Uint8Array): Buffer {
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(data.length, 4);
  return Buffer.concat([header, data]);
}

/** The bytes `frames` take multiplexed (8-byte header each), or raw (tty). */
export function framesSize(frames: ReadonlyArray<{ data: Uint8Array }>, raw = false): number {
  let size = 0;
  for (const f of frames) size += (raw ? 0 : 8) + f.data.length;
  return size;
}

/**
 * Many frames written into `out` (at least framesSize long) for one socket write; raw (a tty's
 * stream) copies the data alone. Returns the bytes written.
 */
export function muxFramesInto(frames: ReadonlyArray<{ stream: StreamKind; data: Uint8Array }>, out: Buffer, raw = false): number {
  let o = 0;
  for (const f of frames) {
    if (!raw) {
      out[o] = f.stream;
      out[o + 1] = out[o + 2] = out[o + 3] = 0;
      out.writeUInt32BE(f.data.length, o + 4);
      o += 8;
    }
    out.set(f.data, o);
    o += f.data.length;
  }
  return o;
}

/** Splits a multiplexed byte stream back into frames (for tests and the CLI). */
export class Demuxer {
  private pending = Buffer.alloc(0);

  push(chunk: Uint8Array): Array<{ stream: number; data: Buffer }> {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : Buffer.from(chunk);
    const frames: Array<{ stream: number; data: Buffer }> = [];
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      frames.push({ stream: this.pending[0], data: this.pending.subarray(8, 8 + size) });
      this.pending = this.pending.subarray(8 + size);
    }
    return frames;
  }
}
