/**
 * An epoch was asked for that the trial has not stored (or the trial has stored none yet). The
 * message names the epoch asked and the epochs there are (`satfarm plot` prints it after `--`).
 */
export class EpochNotStoredError extends Error {
  override name = 'EpochNotStoredError';
  constructor(
    readonly trialId: string,
    readonly epoch: number | undefined,
    readonly stored: readonly number[],
  ) {
    const trial = `trial ${trialId.slice(0, 8)}`;
    super(
      epoch === undefined
        ? `${trial}: nothing to plot, it has stored no epoch yet`
        : stored.length === 0
          ? `epoch: got ${epoch}; ${trial} has stored no epoch yet`
          : `epoch: got ${epoch}; ${trial} has no epoch ${epoch} (${storedEpochs(stored)})`,
    );
  }
}

/** `its stored epochs are 1–3` for a run of epochs (the usual case), a list otherwise, shortened when long. */
function storedEpochs(stored: readonly number[]): string {
  const first = stored[0]!;
  const last = stored[stored.length - 1]!;
  if (first === last) return `its only stored epoch is ${first}`;
  if (last - first === stored.length - 1) return `its stored epochs are ${first}–${last}`;
  const listed = stored.length > 10 ? `${stored.slice(0, 9).join(', ')}, …, ${last}` : stored.join(', ');
  return `its stored epochs are ${listed}`;
}
