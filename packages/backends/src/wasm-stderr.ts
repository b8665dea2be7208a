/**
 * tfjs-backend-wasm's C++ side reports XNNPACK refusals ("XNN status for … Got status 6") on stderr,
 * which Emscripten prints with `console.warn` *bound when the module is created*. Creating the
 * module while `console.warn` is this router lets the training kernels take the lines of the calls
 * they handle (they become part of the error that triggers the fallback instead of console noise);
 * every other line goes to the console.warn of that moment, as before.
 */

let sink: string[] | null = null;

/** Runs `create` (the first `tf.setBackend('wasm')`) with the router installed as console.warn. */
export async function createWasmModuleRouted<T>(create: () => Promise<T>): Promise<T> {
  const original = console.warn;
  const router = (...args: unknown[]): void => {
    if (sink != null) sink.push(args.map(String).join(' '));
    else original.apply(console, args);
  };
  console.warn = router;
  try {
    return await create();
  } finally {
    if (console.warn === router) console.warn = original;
  }
}

/**
 * Runs `fn`, collecting what the wasm module prints on stderr meanwhile (nothing is collected when
 * the module was created without {@link createWasmModuleRouted}: the lines then reach the console).
 */
export function captureWasmStderr<T>(fn: () => T): { result: T; lines: string[] } {
  const outer = sink;
  const lines: string[] = [];
  sink = lines;
  try {
    return { result: fn(), lines };
  } finally {
    sink = outer;
  }
}
