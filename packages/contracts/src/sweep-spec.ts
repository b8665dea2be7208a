import { z } from 'zod';
import { ArchitectureName } from './architecture.ts';
import { stableHash } from './canonical.ts';
import { escapeControlCharacters, PrintableName } from './printable-text.ts';
import { rungEpochs, SearchSpec, SuccessiveHalving } from './search-spec.ts';
import {
  DatasetConfig,
  DEFAULT_SATURATION_CONFIG,
  ProjectionConfig,
  SaturationConfig,
  TrainingConfig,
  TrialConfig,
} from './trial-config.ts';

/** More trials than this is almost certainly a typo in a grid list (and days of compute): refuse it. */
export const MAX_TRIALS_PER_SWEEP = 10_000;
/** Values in one grid list. */
export const MAX_GRID_VALUES = 1_000;
/** Grid keys that only shape `simple-cnn`; other architectures get one trial per remaining combination. */
export const SIMPLE_CNN_ONLY_KEYS = ['depth', 'kernelSize', 'baseWidth'] as const;

/** Grid keys in expansion order: the first key varies slowest. */
export const GRID_KEYS = [
  'architecture',
  'resolution',
  'seed',
  'widthMultiplier',
  'depth',
  'kernelSize',
  'baseWidth',
] as const;
export type GridKey = (typeof GRID_KEYS)[number];

const shape = TrialConfig.shape;

/** A grid list: at least one value, each value once (a duplicate would only repeat trials). */
function gridList<T extends z.ZodType>(element: T) {
  return z
    .array(element)
    .min(1)
    .max(MAX_GRID_VALUES)
    .superRefine((values, ctx) => {
      const firstIndex = new Map<string, number>();
      values.forEach((value, index) => {
        const key = JSON.stringify(value);
        const first = firstIndex.get(key);
        if (first === undefined) {
          firstIndex.set(key, index);
          return;
        }
        ctx.addIssue({
          code: 'custom',
          path: [index],
          input: value,
          message: `duplicate grid value ${key}`,
          params: {
            problem: 'duplicate grid value',
            expected: `each value once (already at index ${first})`,
          },
        });
      });
    });
}

export const SweepGrid = z
  .object({
    architecture: gridList(ArchitectureName),
    resolution: gridList(shape.resolution),
    seed: gridList(shape.seed).default([1]),
    widthMultiplier: gridList(shape.widthMultiplier.unwrap()).optional(),
    depth: gridList(shape.depth.unwrap()).optional(),
    kernelSize: gridList(shape.kernelSize.unwrap()).optional(),
    baseWidth: gridList(shape.baseWidth.unwrap()).optional(),
  })
  .strict();
export type SweepGrid = z.infer<typeof SweepGrid>;

/** A sweep: the cartesian product of `grid`, every trial sharing dataset, training and saturation settings. */
export const SweepSpec = z
  .object({
    /** Printed by every command that shows the sweep: no control characters (terminal escapes). */
    name: PrintableName,
    dataset: DatasetConfig,
    grid: SweepGrid,
    training: TrainingConfig,
    saturation: SaturationConfig.default(DEFAULT_SATURATION_CONFIG),
    /**
     * Projection test after each trial's last epoch; `projection: {}` runs it the phd-lab way (see
     * ProjectionConfig for the settings and their defaults).
     */
    projection: ProjectionConfig.optional(),
    /** Attempts after the first before a trial is recorded as failed. */
    retries: z.number().int().min(0).max(20).default(3),
    /**
     * How the grid is searched: absent or `grid` trains every trial fully; `successive-halving` stops
     * the worst trials early (see SearchSpec). Absent keeps the sweep id of specs written before it.
     */
    search: SearchSpec.optional(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    // Refinements run even when a field failed its own check: only a well-formed search has rungs.
    const search = SuccessiveHalving.safeParse(spec.search);
    if (search.success && typeof spec.training?.epochs === 'number') {
      if (rungEpochs(search.data, spec.training.epochs).length === 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['search', 'minEpochs'],
          input: search.data.minEpochs,
          message: `minEpochs ${search.data.minEpochs} leaves no rung below training.epochs ${spec.training.epochs}`,
          params: {
            problem: 'no rung to decide at: every trial would train every epoch',
            expected: `minEpochs below training.epochs (${spec.training.epochs})`,
          },
        });
      }
    }
    // zod skips refinements after type errors, but an unexpected shape must not crash the count.
    if (!Array.isArray(spec.grid?.architecture)) return;
    const count = countTrials(spec.grid);
    if (count > MAX_TRIALS_PER_SWEEP) {
      ctx.addIssue({
        code: 'custom',
        path: ['grid'],
        input: count,
        message: `too many trials: ${count}`,
        params: {
          problem: `the grid expands to too many trials (${describeCounts(spec.grid)})`,
          expected: `at most ${MAX_TRIALS_PER_SWEEP} trials per sweep; shorten a grid list or split the sweep`,
        },
      });
    }
  });
export type SweepSpec = z.infer<typeof SweepSpec>;
export type SweepSpecInput = z.input<typeof SweepSpec>;

/** One readable problem of a spec: `path: problem (got X; expected Y)`. */
export interface SpecProblem {
  path: string;
  problem: string;
  got: string;
  expected: string;
}

export class InvalidSpecError extends Error {
  override name = 'InvalidSpecError';
  readonly problems: readonly SpecProblem[];
  constructor(readonly issues: readonly z.core.$ZodIssue[]) {
    const problems = issues.flatMap(describeIssue);
    const lines = problems.map((p) => `  - ${p.path}: ${p.problem} (got ${p.got}; expected ${p.expected})`);
    super(
      `invalid sweep spec (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`,
    );
    this.problems = problems;
  }
}

/** Validates a spec (a plain object, e.g. parsed YAML) and fills defaults; throws InvalidSpecError. */
export function parseSweepSpec(input: unknown): SweepSpec {
  const result = SweepSpec.safeParse(input, { reportInput: true });
  if (!result.success) throw new InvalidSpecError(result.error.issues);
  return result.data;
}

/** Number of trials a grid expands to (simple-cnn-only keys multiply simple-cnn trials only). */
export function countTrials(grid: SweepGrid): number {
  let total = 0;
  for (const architecture of grid.architecture)
    total += dimensionsFor(grid, architecture).reduce((n, [, values]) => n * values.length, 1);
  return total;
}

/**
 * The trials of a sweep, in a fixed order: architecture varies slowest, then resolution, seed,
 * widthMultiplier, depth, kernelSize, baseWidth; values in the order the spec lists them.
 */
export function expandSweep(spec: SweepSpec): TrialConfig[] {
  const trials: TrialConfig[] = [];
  for (const architecture of spec.grid.architecture) {
    for (const combination of product(dimensionsFor(spec.grid, architecture))) {
      trials.push(
        TrialConfig.parse({
          architecture,
          ...combination,
          dataset: spec.dataset,
          training: spec.training,
          saturation: spec.saturation,
          ...(spec.projection ? { projection: spec.projection } : {}),
        }),
      );
    }
  }
  return trials;
}

/** Sweep id: hash of the parsed spec (defaults filled), so the same spec always names the same sweep. */
export function sweepIdFor(spec: SweepSpec): string {
  return stableHash(spec);
}

/** Trial id: hash of (sweep id, canonical trial config). It is also the BullMQ job id. */
export function trialIdFor(sweepId: string, config: TrialConfig): string {
  return stableHash({ sweepId, config });
}

type Dimension = [key: Exclude<GridKey, 'architecture'>, values: readonly number[]];

function dimensionsFor(grid: SweepGrid, architecture: ArchitectureName): Dimension[] {
  const dims: Dimension[] = [];
  for (const key of GRID_KEYS) {
    if (key === 'architecture') continue;
    const values = grid[key];
    if (values === undefined) continue;
    if (architecture !== 'simple-cnn' && (SIMPLE_CNN_ONLY_KEYS as readonly string[]).includes(key)) continue;
    dims.push([key, values]);
  }
  return dims;
}

function* product(dims: readonly Dimension[], index = 0): Generator<Record<string, number>> {
  const dim = dims[index];
  if (dim === undefined) {
    yield {};
    return;
  }
  const [key, values] = dim;
  for (const value of values) {
    for (const rest of product(dims, index + 1)) yield { [key]: value, ...rest };
  }
}

function describeCounts(grid: SweepGrid): string {
  const parts = GRID_KEYS.flatMap((key) => {
    const values = grid[key];
    return values === undefined ? [] : [`${values.length} ${key}`];
  });
  const note = SIMPLE_CNN_ONLY_KEYS.some((key) => grid[key] !== undefined)
    ? `; ${SIMPLE_CNN_ONLY_KEYS.join(', ')} multiply simple-cnn trials only`
    : '';
  return `${countTrials(grid)} trials from ${parts.join(' × ')}${note}`;
}

// ---- turning zod issues into `path: problem (got X; expected Y)` ----

function describeIssue(issue: z.core.$ZodIssue): SpecProblem[] {
  const path = formatPath(issue.path);
  const got = show(issue.input);
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? [{ path, problem: 'missing', got: 'nothing', expected: expectedType(issue.expected) }]
        : [
            {
              path,
              problem: 'wrong type',
              got: `${got} (${typeName(issue.input)})`,
              expected: expectedType(issue.expected),
            },
          ];
    case 'too_small':
      return [
        {
          path,
          problem: tooSmallProblem(issue.origin, issue.minimum),
          got: sizeOf(issue.input, issue.origin),
          expected: bound('at least', issue.minimum, issue.inclusive, issue.origin),
        },
      ];
    case 'too_big':
      return [
        {
          path,
          problem: issue.origin === 'array' ? 'too many values' : 'too large',
          got: sizeOf(issue.input, issue.origin),
          expected: bound('at most', issue.maximum, issue.inclusive, issue.origin),
        },
      ];
    case 'invalid_value':
      return [
        {
          path,
          problem: 'not an allowed value',
          got,
          expected: `one of ${issue.values.map((v) => show(v)).join(', ')}`,
        },
      ];
    case 'unrecognized_keys': {
      const known = knownKeysAt(issue.path);
      return issue.keys.map((key) => ({
        path: formatPath([...issue.path, key]),
        problem: 'unknown key',
        got: JSON.stringify(key),
        expected: known.length > 0 ? `one of ${known.join(', ')}` : 'no other keys',
      }));
    }
    case 'custom': {
      const params = (issue.params ?? {}) as { problem?: string; got?: string; expected?: string };
      return [
        {
          path,
          problem: params.problem ?? issue.message,
          got: params.got ?? got,
          expected: params.expected ?? 'a valid value',
        },
      ];
    }
    case 'not_multiple_of':
      return [{ path, problem: 'not a multiple', got, expected: `a multiple of ${String(issue.divisor)}` }];
    default:
      return [{ path, problem: issue.message, got, expected: 'a valid value' }];
  }
}

function tooSmallProblem(origin: string, minimum: number | bigint): string {
  if (origin === 'array') return minimum === 1 ? 'empty list' : 'too few values';
  if (origin === 'string') return minimum === 1 ? 'empty text' : 'too short';
  return 'too small';
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(spec)' : out;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  // JSON escapes C0 but leaves DEL and C1 raw: a message must never carry a terminal escape.
  return escapeControlCharacters(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'number' && !Number.isInteger(value)) return 'fractional number';
  return typeof value;
}

function expectedType(expected: string): string {
  if (expected === 'int') return 'an integer';
  if (expected === 'array') return 'a list';
  if (expected === 'object') return 'a mapping (key: value)';
  return `a ${expected}`;
}

function sizeOf(input: unknown, origin: string): string {
  if (origin === 'array' && Array.isArray(input))
    return `${input.length} value${input.length === 1 ? '' : 's'}`;
  if (origin === 'string' && typeof input === 'string') return `${input.length} characters`;
  return show(input);
}

function bound(word: string, limit: number | bigint, inclusive: boolean | undefined, origin: string): string {
  if (origin === 'array') return `${word} ${limit} value${limit === 1 ? '' : 's'}`;
  if (origin === 'string') return `${word} ${limit} character${limit === 1 ? '' : 's'}`;
  if (inclusive === false) return word === 'at least' ? `more than ${limit}` : `less than ${limit}`;
  return `${word} ${limit}`;
}

/** Keys the spec accepts at an object path, for "unknown key" errors. */
function knownKeysAt(path: readonly PropertyKey[]): string[] {
  let schema: unknown = SweepSpec;
  for (const part of [...path, null]) {
    schema = unwrap(schema);
    if (!(schema instanceof z.ZodObject)) return [];
    if (part === null) return Object.keys(schema.shape);
    schema = (schema.shape as Record<string, unknown>)[String(part)];
  }
  return [];
}

function unwrap(schema: unknown): unknown {
  let current = schema;
  while (
    current instanceof z.ZodDefault ||
    current instanceof z.ZodOptional ||
    current instanceof z.ZodPipe
  ) {
    current = current instanceof z.ZodPipe ? current.in : current.unwrap();
  }
  return current;
}
