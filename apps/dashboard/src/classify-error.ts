import { hasTransientNetworkCode } from '@satfarm/contracts';
import { AmbiguousIdError, DatabaseUnreachableError, NotFoundError } from '@satfarm/db';
import { EpochNotStoredError } from '@satfarm/plot-data';
import { BadRequestError } from './errors.ts';

export interface ClassifiedError {
  status: 400 | 404 | 500 | 503;
  heading: string;
  message: string;
  databaseDown: boolean;
}

/** What a reader is told about an unexpected failure: its message may hold paths, SQL or worse. */
export const INTERNAL_ERROR_MESSAGE = 'The dashboard failed to answer this request; its log has the details.';

/**
 * Maps a failure to an HTTP status and words for a person. Only errors the dashboard expects (a
 * reference that matches nothing, a bad parameter, the database away) pass their message on; any
 * other error becomes a 500 that says nothing about it.
 */
export function classifyError(error: unknown): ClassifiedError {
  const message = error instanceof Error ? error.message : String(error);
  // An epoch the trial does not have is as missing as an unknown trial.
  if (error instanceof NotFoundError || error instanceof EpochNotStoredError)
    return { status: 404, heading: 'Not found', message, databaseDown: false };
  if (error instanceof AmbiguousIdError || error instanceof BadRequestError) {
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
  return {
    status: 500,
    heading: 'Something went wrong',
    message: INTERNAL_ERROR_MESSAGE,
    databaseDown: false,
  };
}

/**
 * A query on a pooled connection that died under it (server restart, terminated backend). The pool
 * drops such connections, so the next request opens a fresh one: nothing else to do but report.
 */
function isConnectionFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (code.startsWith('08') || code.startsWith('57P'))) return true;
  if (hasTransientNetworkCode(error)) return true;
  const message = error instanceof Error ? error.message : '';
  // `Query read timeout`: pg's query_timeout ran out (the health probe's SELECT 1 got no answer).
  return /Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Query read timeout/i.test(
    message,
  );
}
