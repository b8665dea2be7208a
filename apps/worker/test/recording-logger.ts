import type { LogFields } from '@satfarm/queue';

/** A logger that keeps every record, for tests that check what the worker said. */
export function recordingLogger() {
  const records: { msg: string; fields: LogFields }[] = [];
  const push = (msg: string, fields: LogFields = {}) => records.push({ msg, fields });
  return { records, logger: { info: push, warn: push, error: push } };
}
