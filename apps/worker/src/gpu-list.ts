import { WorkerUsageError } from './worker-usage-error.ts';

const EXPECTED =
  'expected comma-separated GPU ids as nvidia-smi numbers them, each a whole number >= 0 and given once ' +
  '(e.g. 0,1,3)';

/**
 * The value of `--gpus`: GPU ids in the order given, canonical (`01` is `1`). An empty list, anything but
 * a whole number and an id given twice are refused with a {@link WorkerUsageError} naming `flag`.
 */
export function parseGpuList(value: string, flag = '--gpus'): string[] {
  const got = `${flag}: got '${value}'`;
  if (value.trim() === '') throw new WorkerUsageError(`${got}: no GPU ids; ${EXPECTED}`);
  const gpus: string[] = [];
  for (const part of value.split(',').map((p) => p.trim())) {
    const id = /^\d+$/.test(part) ? Number.parseInt(part, 10) : Number.NaN;
    if (!Number.isSafeInteger(id)) {
      throw new WorkerUsageError(
        `${got}: ${part === '' ? 'an empty entry' : `'${part}'`} is not a GPU id; ${EXPECTED}`,
      );
    }
    if (gpus.includes(String(id)))
      throw new WorkerUsageError(`${got}: GPU ${id} is listed twice; ${EXPECTED}`);
    gpus.push(String(id));
  }
  return gpus;
}
