/**
 * Errors of backend selection and of the wasm training kernels. Messages name the backend, package
 * or shape at fault and what would work, so the CLI can show them as they are.
 */

/** A backend was asked for by name but cannot be loaded or has no device here. */
export class BackendUnavailableError extends Error {
  override readonly name = 'BackendUnavailableError';
  readonly backend: string;
  readonly reason: string;
  readonly hint: string;
  constructor(backend: string, reason: string, hint: string, options?: ErrorOptions) {
    super(`Backend '${backend}' is unavailable: ${reason}. ${hint}`, options);
    this.backend = backend;
    this.reason = reason;
    this.hint = hint;
  }
}

/** `selectBackend` was given a choice it does not know. */
export class UnknownBackendError extends Error {
  override readonly name = 'UnknownBackendError';
  readonly choice: string;
  constructor(choice: string, valid: readonly string[]) {
    super(`Unknown backend '${choice}'; valid choices are ${valid.map((v) => `'${v}'`).join(', ')}`);
    this.choice = choice;
  }
}

/** A wasm training kernel was called with something it does not support (e.g. NCHW). */
export class UnsupportedConvGradError extends Error {
  override readonly name = 'UnsupportedConvGradError';
  readonly kernel: string;
  readonly field: string;
  readonly value: unknown;
  constructor(kernel: string, field: string, value: unknown, valid: string) {
    super(`${kernel} on wasm: unsupported ${field} ${JSON.stringify(value)}; use ${valid}`);
    this.kernel = kernel;
    this.field = field;
    this.value = value;
  }
}

/**
 * A fast (XNNPACK) path could not run: its working memory could not be reserved on the wasm heap,
 * or XNNPACK refused the operator (it then only prints a status and leaves the output unwritten,
 * which this error makes visible). The caller falls back to a slower path.
 */
export class FastPathRefusedError extends Error {
  override readonly name = 'FastPathRefusedError';
  readonly op: string;
  constructor(op: string, reason: string) {
    super(`${op}: XNNPACK fast path refused (${reason})`);
    this.op = op;
  }
}

/** The wasm heap (at most 4 GiB) could not hold a tensor of this size. */
export class WasmOutOfMemoryError extends Error {
  override readonly name = 'WasmOutOfMemoryError';
  readonly bytes: number;
  readonly shape: readonly number[];
  constructor(shape: readonly number[], bytes: number) {
    super(
      `wasm heap out of memory: could not allocate ${bytes} bytes for a tensor of shape [${shape.join(', ')}]; ` +
        'use a smaller batch size or resolution',
    );
    this.bytes = bytes;
    this.shape = shape;
  }
}

/** An option of `selectBackend` is out of range. */
export class InvalidBackendOptionError extends Error {
  override readonly name = 'InvalidBackendOptionError';
  readonly field: string;
  readonly value: unknown;
  constructor(field: string, value: unknown, valid: string) {
    super(`Invalid ${field} ${JSON.stringify(value)}; expected ${valid}`);
    this.field = field;
    this.value = value;
  }
}
