// A value handed across a box boundary for reading only (records shown by the API, the
// containers' read-only view): nested arrays and objects are read-only too.
export type DeepReadonly<T> = T extends (...args: never[]) => unknown ? T
  : T extends ReadonlyArray<infer U> ? ReadonlyArray<DeepReadonly<U>>
  : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
  : T;
