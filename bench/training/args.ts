import { parseArgs } from 'node:util';
import { BACKEND_CHOICES, type BackendName } from '@satfarm/backends';

export interface BenchOptions {
  json: boolean;
  rounds: number;
  batch: number;
  /** Measured in this order in every round. */
  backends: BackendName[];
}

/** Every backend but `auto`: the bench measures named backends. */
const BACKENDS = BACKEND_CHOICES.filter((b): b is BackendName => b !== 'auto');

/** Exits with status 2 and a line naming the flag, the value and what is valid. */
function usage(message: string): never {
  process.stderr.write(`bench:training: ${message}\n`);
  process.exit(2);
}

function positiveInteger(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) usage(`${flag}: got '${value}'; expected an integer ≥ 1`);
  return n;
}

export function parseBenchArgs(argv: string[]): BenchOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        json: { type: 'boolean' },
        rounds: { type: 'string' },
        batch: { type: 'string' },
        backends: { type: 'string' },
      },
      strict: true,
    }));
  } catch (error) {
    usage((error as Error).message);
  }
  const listed = String(values.backends ?? 'cpu,wasm')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
  const unknown = listed.find((b) => !(BACKENDS as readonly string[]).includes(b));
  if (unknown !== undefined || listed.length === 0) {
    usage(`--backends: got '${values.backends}'; expected a comma-separated list of ${BACKENDS.join(', ')}`);
  }
  return {
    json: values.json === true,
    rounds: positiveInteger('--rounds', values.rounds as string | undefined, 3),
    batch: positiveInteger('--batch', values.batch as string | undefined, 64),
    backends: [...new Set(listed as BackendName[])],
  };
}
