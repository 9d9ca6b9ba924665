// `berth build` (`image build`, `builder build`): docker/cli 28.2's legacy build command
// (cli/command/image/build.go) over POST /build, with BuildKit's --secret, -o/--output and
// --progress. The context is a directory (packed by packBuildContext, .dockerignore applied), a
// tar or a Dockerfile on stdin (`-`), or a URL the daemon fetches (`remote`). The output is the
// classic stream as docker prints it (plain), or a BuildKit-like live view on a terminal (tty).
import { rm, stat, writeFile } from 'node:fs/promises';
import { PassThrough, type Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { CommandContext, CommandSpec, Flags } from '../../framework/types.ts';
import { DaemonError, StatusError } from '../../framework/types.ts';
import { registryConfigHeader } from '../../credentials/index.ts';
import { BuildProgressView, displayJsonMessages, JsonMessageError, progressString, TtyBuildDisplay, type JsonMessage } from '../../progress/index.ts';
import { buildFlags, buildSettings, type BuildSettings } from './build-options.ts';
import { encodeSecretsHeader, parseSecretSpec, readSecrets, SECRETS_HEADER } from './build-secrets.ts';
import { exportBuildOutput, parseOutputs, type OutputSpec } from './build-output.ts';
import { contextFromStdin } from './build-stdin.ts';
import { packBuildContext } from './build-context.ts';

const SENDING = 'Sending build context to Docker daemon';

/** urlutil.IsURL / IsGitURL: contexts the daemon fetches itself. */
export function isRemoteContext(context: string): boolean {
  if (/^https?:\/\//.test(context)) return true;
  return /^(git:\/\/|git@|github\.com\/)/.test(context);
}

/** What is sent: the body (absent for a remote context), its ?dockerfile= and a byte counter. */
interface ContextToSend {
  body?: Readable;
  dockerfile: string;
  remote?: string;
}

/** All of stdin (a Dockerfile given with `-f -`), bounded. */
async function readStdin(stdin: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  let total = 0;
  for await (const chunk of stdin as AsyncIterable<Buffer | string>) {
    const b = Buffer.from(chunk);
    total += b.length;
    if (total > 16 * 1024 * 1024) throw new StatusError(1, 'unable to prepare context: the Dockerfile on stdin is larger than 16MiB');
    parts.push(b);
  }
  return Buffer.concat(parts);
}

/** The context of the command line, checked with docker's "unable to prepare context" errors. */
async function prepareContext(ctx: CommandContext, context: string, dockerfileFlag: string): Promise<ContextToSend> {
  if (dockerfileFlag === '-' && context === '-') throw new StatusError(1, "invalid argument: can't use stdin for both build context and dockerfile");
  if (context === '-') {
    const s = await contextFromStdin(ctx.stdin, dockerfileFlag);
    return { body: s.body, dockerfile: s.dockerfile };
  }
  const st = await stat(context).catch(() => undefined);
  if (st) {
    // The packer checks the directory and the Dockerfile with docker's messages (-f relative to
    // the current directory, a Dockerfile outside the context or from stdin added to the tar).
    const dockerfileContent = dockerfileFlag === '-' ? await readStdin(ctx.stdin) : undefined;
    const packed = await packBuildContext(context, { dockerfile: dockerfileFlag && dockerfileFlag !== '-' ? dockerfileFlag : undefined, dockerfileContent });
    return { body: packed.stream, dockerfile: packed.dockerfile };
  }
  if (isRemoteContext(context)) return { dockerfile: dockerfileFlag === '-' ? '' : dockerfileFlag, remote: context };
  throw new StatusError(1, `unable to prepare context: path ${JSON.stringify(context)} not found`);
}

/** The --progress mode in force: tty only where the view has a terminal to draw on. */
export function progressMode(settings: BuildSettings, stderrIsTTY: boolean, stdoutIsTTY: boolean, tarToStdout: boolean): 'quiet' | 'plain' | 'tty' {
  if (settings.quiet) return 'quiet';
  if (settings.progress === 'plain') return 'plain';
  if (settings.progress === 'tty') return 'tty';
  // auto: BuildKit's view when stderr is a terminal and stdout is too (or carries the tar).
  return stderrIsTTY && (stdoutIsTTY || tarToStdout) ? 'tty' : 'plain';
}

/** Keeps what is written, synchronously (docker's bytes.Buffer for -q): the renderer only writes. */
function bufferSink(): { stream: NodeJS.WritableStream; text(): string } {
  let text = '';
  const stream = { write: (chunk: string | Buffer): boolean => ((text += String(chunk)), true) } as unknown as NodeJS.WritableStream;
  return { stream, text: () => text };
}

/** Counts the bytes of `body` as the request reads them, reporting each chunk and the end. */
function counted(body: Readable, onProgress: (bytes: number, done: boolean) => void): Readable {
  let bytes = 0;
  const out = new PassThrough();
  body.on('data', (c: Buffer) => {
    bytes += c.length;
    onProgress(bytes, false);
  });
  body.on('end', () => onProgress(bytes, true));
  body.on('error', (err) => out.destroy(err));
  body.pipe(out);
  return out;
}

/** `body` gzip-compressed; an error of the source ends the compressed stream with it. */
function gzipped(body: Readable): Readable {
  const gz = createGzip();
  body.on('error', (err) => gz.destroy(err));
  return body.pipe(gz);
}

/** The image ID of a build's aux message ({"ID": "sha256:..."}). */
function auxId(aux: unknown): string | undefined {
  const id = (aux as { ID?: unknown } | null)?.ID;
  return typeof id === 'string' ? id : undefined;
}

async function runBuild(ctx: CommandContext, flags: Flags, args: string[]): Promise<number> {
  const settings = buildSettings(flags, (name) => process.env[name], { config: ctx.config.proxies, host: ctx.client.host });
  const output = parseOutputs(flags.list('output'), Boolean(ctx.stdout.isTTY));
  const secrets = await readSecrets(flags.list('secret').map(parseSecretSpec), process.env);
  const tarToStdout = output?.type === 'tar' && output.dest === '-';
  const mode = progressMode(settings, Boolean(ctx.stderr.isTTY), Boolean(ctx.stdout.isTTY), tarToStdout);
  if (settings.iidfile) {
    // No stale file if the build fails.
    await rm(settings.iidfile, { force: true }).catch((err: Error) => {
      throw new StatusError(1, `Removing image ID file: ${err.message}`);
    });
  }
  const prepared = await prepareContext(ctx, args[0]!, settings.dockerfile);

  // Where the progress goes: stdout as docker, stderr when stdout carries the tar (or the view).
  const out: NodeJS.WriteStream = tarToStdout || mode === 'tty' ? ctx.stderr : ctx.stdout;
  const progBuff = bufferSink();
  const buildBuff = bufferSink();
  const view = mode === 'tty' ? new BuildProgressView({ width: out.columns || 80, height: out.rows, now: () => Date.now() }) : undefined;
  const display = view ? new TtyBuildDisplay(out, view) : undefined;

  let sendingDone = false;
  let lastSending = 0;
  const sendingLine = (bytes: number, done: boolean): void => {
    if (view) {
      view.contextProgress(bytes, done);
      return;
    }
    const target = mode === 'quiet' ? progBuff.stream : out;
    const text = `${SENDING} ${progressString({ current: bytes }, 200)}\r`;
    if (done) {
      if (sendingDone) return;
      sendingDone = true;
      target.write(text + '\r\n');
    } else if (out.isTTY && mode !== 'quiet' && Date.now() - lastSending >= 100) {
      // On a terminal the line is rewritten as the context goes (docker's progress reader).
      lastSending = Date.now();
      target.write(text);
    }
  };
  let sentBytes = 0;
  // --compress: gzip on the way (the daemon detects it); the bytes counted are the ones sent.
  const raw = prepared.body && flags.bool('compress') ? gzipped(prepared.body) : prepared.body;
  const body = raw ? counted(raw, (b, d) => {
    sentBytes = b;
    sendingLine(b, d);
  }) : undefined;

  const query = { ...settings.query, dockerfile: prepared.dockerfile || undefined, remote: prepared.remote };
  const headers: Record<string, string> = { 'X-Registry-Config': await registryConfigHeader(ctx) };
  if (body) headers['Content-Type'] = 'application/x-tar';
  if (secrets.size) headers[SECRETS_HEADER] = encodeSecretsHeader(secrets);

  let timer: NodeJS.Timeout | undefined;
  if (display) {
    display.draw();
    timer = setInterval(() => display.draw(), 100);
  }
  let imageId = '';
  try {
    const res = await ctx.client.call('POST', '/build', { query, body, headers }).catch((err: unknown) => {
      if (mode === 'quiet') ctx.stderr.write(progBuff.text());
      // The secrets travel in a header, and a daemon bounds its headers (berthd and Go: 1 MiB).
      if (err instanceof DaemonError && err.status === 431 && secrets.size) {
        throw new StatusError(1, `the build secrets are too large for the daemon's request header limit (${SECRETS_HEADER}: ${headers[SECRETS_HEADER]!.length} bytes)`);
      }
      throw err;
    });
    // Whatever the daemon did with the body, the upload is over once it answers.
    if (body) sendingLine(sentBytes, true);
    const onAux = (aux: unknown): void => {
      imageId = auxId(aux) ?? imageId;
    };
    try {
      if (view) await viewMessages(res.body, view, onAux);
      else await displayJsonMessages(res.body, mode === 'quiet' ? buildBuff.stream : out, { isTerminal: mode !== 'quiet' && Boolean(out.isTTY), width: out.columns, onAux });
    } catch (err) {
      if (err instanceof JsonMessageError) {
        if (mode === 'quiet') ctx.stderr.write(progBuff.text() + buildBuff.text());
        if (view) {
          view.fail();
          finishView(display!, view, out, timer, true);
          timer = undefined;
        }
        throw new StatusError(err.code || 1, err.message);
      }
      throw err;
    }
    if (view) {
      view.finish();
      finishView(display!, view, out, timer, false);
      timer = undefined;
    }
  } finally {
    if (timer) clearInterval(timer);
  }

  if (mode === 'quiet') {
    // docker prints what the daemon sent (the ID) and keeps it as the ID for --iidfile.
    imageId = buildBuff.text();
    ctx.stdout.write(imageId);
  }
  if (settings.iidfile) {
    if (!imageId) throw new StatusError(1, `Server did not provide an image ID. Cannot write ${settings.iidfile}`);
    await writeFile(settings.iidfile, imageId, { mode: 0o666 }).catch((err: NodeJS.ErrnoException) => {
      const why = err.code === 'ENOENT' ? 'no such file or directory' : err.code === 'EACCES' ? 'permission denied' : err.code === 'EISDIR' ? 'is a directory' : err.message;
      throw new StatusError(1, `open ${settings.iidfile}: ${why}`);
    });
  }
  if (output) await exportOutput(ctx, imageId, output, (settings.query.t ?? []).length === 0);
  return 0;
}

async function exportOutput(ctx: CommandContext, imageId: string, output: OutputSpec, untagged: boolean): Promise<void> {
  const id = imageId.trim();
  if (!id) throw new StatusError(1, 'Server did not provide an image ID. Cannot export the build output');
  await exportBuildOutput(ctx, id, output, untagged);
}

/** Feeds the daemon's messages to the view; an error message rejects with JsonMessageError. */
async function viewMessages(body: AsyncIterable<Buffer | string>, view: BuildProgressView, onAux: (aux: unknown) => void): Promise<void> {
  let pending = '';
  const line = (text: string): void => {
    if (!text.trim()) return;
    let jm: JsonMessage;
    try {
      jm = JSON.parse(text) as JsonMessage;
    } catch {
      throw new Error(`invalid character in progress stream: ${JSON.stringify(text.slice(0, 80))}`);
    }
    if (jm.errorDetail || jm.error) {
      const code = jm.errorDetail?.code ?? 0;
      if (code === 401) throw new JsonMessageError('authentication is required', 401);
      throw new JsonMessageError(jm.errorDetail?.message ?? jm.error ?? '', code);
    }
    if (jm.aux !== undefined && jm.aux !== null) onAux(jm.aux);
    else view.message(jm);
  };
  for await (const chunk of body) {
    pending += String(chunk);
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const text = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      line(text);
    }
  }
  line(pending);
}

/** The last frame, then BuildKit's error block or the lines after the steps ("Successfully ..."). */
function finishView(display: TtyBuildDisplay, view: BuildProgressView, out: NodeJS.WritableStream, timer: NodeJS.Timeout | undefined, failed: boolean): void {
  if (timer) clearInterval(timer);
  display.draw();
  const extra = failed ? view.errorBlock() : view.trailer();
  if (extra.length) out.write(extra.join('\n') + '\n');
}

export const buildCommand: CommandSpec = {
  name: 'build',
  usage: '[OPTIONS] PATH | URL | -',
  short: 'Build an image from a Dockerfile',
  flags: buildFlags(),
  args: { min: 1, max: 1 },
  run: runBuild,
};
