/** An epoch was asked for that the trial has not stored (or the trial has stored none yet). */
export class EpochNotStoredError extends Error {
  override name = 'EpochNotStoredError';
  constructor(
    readonly trialId: string,
    readonly epoch: number | undefined,
    readonly stored: readonly number[],
  ) {
    const have =
      stored.length === 0
        ? 'it has stored no epoch yet'
        : `stored epochs are ${stored[0]}–${stored[stored.length - 1]}`;
    super(
      epoch === undefined
        ? `trial ${trialId.slice(0, 8)}: nothing to plot, ${have}`
        : `epoch: got ${epoch}; trial ${trialId.slice(0, 8)} ${have}`,
    );
  }
}

/** A dashboard option that cannot work (host, port, database), named with its value. */
export class InvalidDashboardOptionError extends Error {
  override name = 'InvalidDashboardOptionError';
  constructor(
    readonly option: string,
    readonly value: unknown,
    expected: string,
  ) {
    super(`${option}: got ${JSON.stringify(value)}; expected ${expected}`);
  }
}

/** A request the dashboard cannot answer as asked (a malformed query parameter). */
export class BadRequestError extends Error {
  override name = 'BadRequestError';
}
