// The user's terminal during attach/exec: raw mode, TTY size, detach keys, signal forwarding and
// the stdio copy over a hijacked connection.
export { consoleSize, monitorTtySize, resizeTty } from './resize.ts';
export { forwardSignals } from './signal-proxy.ts';
export { ESCAPE_MESSAGE, streamHijacked, type StreamEnd } from './hijack-stream.ts';
