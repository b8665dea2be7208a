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

/** One of the sweeps or trials an ambiguous reference fits, as listed to the user. */
export interface IdCandidate {
  id: string;
  /** The sweep's name (for a trial: what it trains and its sweep's name). */
  label: string;
  /** When the sweep (for a trial: its sweep) was created. */
  createdAt: Date;
}

/**
 * What the user typed fits several sweeps or trials: a name two sweeps share, an id prefix, or a name
 * that is also another sweep's id prefix. Picking one (say the newest) would act on the wrong sweep
 * without a word, so the candidates are listed and the user gives the full id.
 */
export class AmbiguousIdError extends Error {
  override name = 'AmbiguousIdError';
  constructor(
    readonly entity: 'sweep' | 'trial',
    readonly key: string,
    /** The newest candidates (at most a handful). */
    readonly candidates: readonly IdCandidate[],
    /** How many fit in all, listed or not. */
    readonly total: number = candidates.length,
  ) {
    const listed = candidates
      .map((c) => `${c.id} ${c.label}, created ${c.createdAt.toISOString().replace(/\.\d+Z$/, 'Z')}`)
      .join('; ');
    const more = total > candidates.length ? `; and ${total - candidates.length} more` : '';
    const how = entity === 'sweep' ? 'by name or id prefix' : 'by id prefix';
    super(
      `${JSON.stringify(key)} is ambiguous: ${total} ${entity}s match it ${how} (${listed}${more}); give the full ${entity} id`,
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

/** `satfarm sql` has no login it may run users' statements as (see sql-reader.ts). */
export class SqlReaderUnavailableError extends Error {
  override name = 'SqlReaderUnavailableError';
}

/** A trial would become completed without a row for each of its planned epochs. */
export class IncompleteHistoryError extends Error {
  override name = 'IncompleteHistoryError';
}
