// Reading the user's answers for login: a line with echo (user name), a line without echo
// (password, on a terminal), or everything on stdin (--password-stdin).

export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
  return Buffer.concat(chunks).toString('utf8');
}

/** Writes the prompt and reads one line (without its line ending); '' at end of input. */
export function readPromptLine(stdin: NodeJS.ReadStream, out: NodeJS.WritableStream, prompt: string): Promise<string> {
  out.write(prompt);
  return new Promise((resolve) => {
    let buf = '';
    const done = (v: string): void => {
      stdin.removeListener('data', onData);
      stdin.removeListener('end', onEnd);
      stdin.pause();
      resolve(v);
    };
    const onData = (chunk: Buffer | string): void => {
      buf += String(chunk);
      const nl = buf.indexOf('\n');
      if (nl >= 0) done(buf.slice(0, nl).replace(/\r$/, ''));
    };
    const onEnd = (): void => done(buf);
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    stdin.resume();
  });
}

/** readPromptLine with the terminal's echo off (raw mode, characters read one by one). */
export function readPassword(stdin: NodeJS.ReadStream, out: NodeJS.WritableStream, prompt: string): Promise<string> {
  if (!stdin.isTTY || typeof stdin.setRawMode !== 'function') return readPromptLine(stdin, out, prompt);
  // Echo goes off before the prompt shows: a password typed ahead must not be echoed.
  stdin.setRawMode(true);
  out.write(prompt);
  return new Promise((resolve) => {
    let buf = '';
    const done = (v: string): void => {
      stdin.removeListener('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      resolve(v);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const ch of String(chunk)) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done(buf);
        if (ch === '\u0003') {
          stdin.setRawMode(false);
          process.kill(process.pid, 'SIGINT');
          return;
        }
        if (ch === '\u007f' || ch === '\b') buf = buf.slice(0, -1);
        else buf += ch;
      }
    };
    stdin.on('data', onData);
    stdin.resume();
  });
}
