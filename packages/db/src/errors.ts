/** Shown with every connection failure: where the database should come from. */
const START_HINT =
  'start PostgreSQL (`bash infra/scripts/ensure-services.sh`, or `docker compose up -d postgres`) and check DATABASE_URL';

/** PostgreSQL could not be reached or refused the connection. `url` has its password replaced by `***`. */
export class DatabaseUnreachableError extends Error {
  override name = 'DatabaseUnreachableError';
  constructor(
    readonly url: string,
    reason: string,
    options?: { cause?: unknown; hint?: string },
  ) {
    super(`cannot connect to PostgreSQL at ${url}: ${reason}; ${options?.hint ?? START_HINT}`, {
      cause: options?.cause,
    });
  }
}

/** No sweep or trial matches what the user typed. */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
  constructor(
    readonly entity: 'sweep' | 'trial',
    readonly key: string,
    hint: string,
  ) {
    super(`no ${entity} matches ${JSON.stringify(key)}: ${hint}`);
  }
}

/** An id prefix that fits several sweeps or trials. */
export class AmbiguousIdError extends Error {
  override name = 'AmbiguousIdError';
  constructor(
    readonly entity: 'sweep' | 'trial',
    readonly key: string,
    readonly candidates: readonly string[],
  ) {
    super(
      `${JSON.stringify(key)} is the start of ${candidates.length} ${entity} ids (${candidates.join(', ')}); type more characters`,
    );
  }
}

/** `runReadOnlySql` refused a statement that writes. */
export class ReadOnlyQueryError extends Error {
  override name = 'ReadOnlyQueryError';
  constructor(
    readonly sql: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`refused: queries here run read-only (${reason}); use SELECT`, options);
  }
}

/** A user's SQL failed for another reason (syntax, unknown column, timeout…). */
export class SqlQueryError extends Error {
  override name = 'SqlQueryError';
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly position: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** `createSweep` was handed trials whose ids are not `trialIdFor(sweepId, config)`. */
export class InvalidTrialsError extends Error {
  override name = 'InvalidTrialsError';
  constructor(
    readonly trialId: string,
    problem: string,
  ) {
    super(`trial ${JSON.stringify(trialId)}: ${problem}`);
  }
}
