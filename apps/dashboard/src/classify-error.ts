import { AmbiguousIdError, DatabaseUnreachableError, NotFoundError } from '@satfarm/db';
import { BadRequestError, EpochNotStoredError } from './errors.ts';

export interface ClassifiedError {
  status: 400 | 404 | 500 | 503;
  heading: string;
  message: string;
  databaseDown: boolean;
}

/** Maps a failure to an HTTP status and words for a person. */
export function classifyError(error: unknown): ClassifiedError {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof NotFoundError)
    return { status: 404, heading: 'Not found', message, databaseDown: false };
  if (
    error instanceof AmbiguousIdError ||
    error instanceof EpochNotStoredError ||
    error instanceof BadRequestError
  ) {
    return { status: 400, heading: 'Cannot show that', message, databaseDown: false };
  }
  if (error instanceof DatabaseUnreachableError || isConnectionFailure(error)) {
    return {
      status: 503,
      heading: 'Database unreachable',
      message: `PostgreSQL did not answer (${message}). Retrying.`,
      databaseDown: true,
    };
  }
  return { status: 500, heading: 'Something went wrong', message, databaseDown: false };
}

/**
 * A query on a pooled connection that died under it (server restart, terminated backend). The pool
 * drops such connections, so the next request opens a fresh one: nothing else to do but report.
 */
function isConnectionFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (code.startsWith('08') || code.startsWith('57P')) return true;
    if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH'].includes(code)) return true;
  }
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(
    message,
  );
}
