// The user's terminal during attach/exec: raw mode, TTY size, detach keys, signal forwarding and
// the stdio copy over a hijacked connection.
export { DEFAULT_DETACH_KEYS, DetachScanner, detachKeysOrDefault, parseDetachKeys } from './detach-keys.ts';
export { makeRaw, type RawTerminal } from './raw-mode.ts';
export { consoleSize, monitorTtySize, resizeTty, type ResizeTarget } from './resize.ts';
export { forwardSignals, PROXIED_SIGNALS } from './signal-proxy.ts';
export { ESCAPE_MESSAGE, streamHijacked, type StreamEnd, type StreamOptions } from './hijack-stream.ts';
