/** Structured fields attached to a log line (sweepId, trialId, workerId, …). */
export type LogFields = Record<string, unknown>;

/**
 * The logging surface the farm runtime needs (declared here, the one package every app and package
 * shares; @satfarm/queue re-exports it). Packages take one injected; the CLI decides what a person
 * sees (pino, a TTY formatter, …), apps fall back to one JSON line per record on stderr.
 */
export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export const noopLogger: Logger = {
  info() {},
  warn() {},
  error() {},
};

/** A logger that writes one JSON object per line through `write` (e.g. `(l) => process.stderr.write(l)`). */
export function jsonLineLogger(write: (line: string) => void, base: LogFields = {}): Logger {
  const emit = (level: string, message: string, fields?: LogFields) => {
    const record = { time: new Date().toISOString(), level, msg: message, ...base, ...fields };
    write(`${JSON.stringify(record, errorReplacer)}\n`);
  };
  return {
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

/** A logger that adds `fields` to every record (a scope: workerId, trialId…). */
export function withFields(logger: Logger, fields: LogFields): Logger {
  return {
    info: (m, f) => logger.info(m, { ...fields, ...f }),
    warn: (m, f) => logger.warn(m, { ...fields, ...f }),
    error: (m, f) => logger.error(m, { ...fields, ...f }),
  };
}

/** Errors have no enumerable fields; without this they would log as `{}`. */
function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}
