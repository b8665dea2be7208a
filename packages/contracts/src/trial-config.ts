import { z } from 'zod';
import { ArchitectureName } from './architecture.ts';

export const BACKENDS = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export const BackendName = z.enum(BACKENDS);
export type BackendName = z.infer<typeof BackendName>;

export const DATASETS = ['fashion-mnist', 'cifar10', 'synthetic'] as const;
export const DatasetName = z.enum(DATASETS);
export type DatasetName = z.infer<typeof DatasetName>;

export const KRule = z.enum(['textbook', 'delve']);
export type KRule = z.infer<typeof KRule>;

export const DatasetConfig = z
  .object({
    name: DatasetName,
    /** The first N examples of each split (the same images for every seed); omitted = the whole split. */
    trainLimit: z.number().int().positive().optional(),
    testLimit: z.number().int().positive().optional(),
  })
  .strict();
export type DatasetConfig = z.infer<typeof DatasetConfig>;

export const TrainingConfig = z
  .object({
    epochs: z.number().int().min(1).max(10_000),
    batchSize: z.number().int().min(1).max(65_536),
    optimizer: z.enum(['adam', 'sgd']).default('adam'),
    learningRate: z.number().positive().max(100).default(0.001),
  })
  .strict();
export type TrainingConfig = z.infer<typeof TrainingConfig>;

/** δ: the share of the variance the eigenspace keeps, unless a config says otherwise. */
export const DEFAULT_DELTA = 0.99;

export const SaturationConfig = z
  .object({
    delta: z.number().gt(0).lt(1).default(DEFAULT_DELTA),
    kRule: KRule.default('textbook'),
    /** Cap on spatial samples per conv layer per batch (uniform stride subsampling); 0 = all. */
    maxSamplesPerBatch: z.number().int().min(0).default(0),
  })
  .strict();
export type SaturationConfig = z.infer<typeof SaturationConfig>;

/** The saturation settings of a config that gives none. */
export const DEFAULT_SATURATION_CONFIG: SaturationConfig = {
  delta: DEFAULT_DELTA,
  kRule: 'textbook',
  maxSamplesPerBatch: 0,
};

export const PROJECTION_FITS = ['train', 'test'] as const;
/**
 * Which data a projection's eigenspace is fitted on. `train`: the covariance accumulated over the last
 * epoch's training batches (phd-lab's PCA layers collect it the same way, during training); `test`: the
 * test set's, in inference mode (satfarm's first way, which fits and scores on the same examples).
 */
export const ProjectionFit = z.enum(PROJECTION_FITS);
export type ProjectionFit = z.infer<typeof ProjectionFit>;

/**
 * After the last epoch: test accuracy with tracked layers projected onto the eigenspace that keeps δ
 * of their variance, each layer alone and all of them together, against random subspaces of the same
 * size (the control). The defaults follow phd-lab: fitted on the training data, the classifier's
 * output (the logits) left unprojected.
 */
/** The δ values a projection test tries unless the spec says otherwise. */
export const DEFAULT_PROJECTION_DELTAS: readonly number[] = [0.9, 0.95, 0.99, 0.999];

export const ProjectionConfig = z
  .object({
    deltas: z
      .array(z.number().gt(0).lt(1))
      .min(1)
      .max(16)
      .default(() => [...DEFAULT_PROJECTION_DELTAS])
      .superRefine((deltas, ctx) => {
        // Results are keyed by δ: a second copy would only overwrite the first.
        deltas.forEach((delta, index) => {
          const first = deltas.indexOf(delta);
          if (first === index) return;
          ctx.addIssue({
            code: 'custom',
            path: [index],
            input: delta,
            message: `duplicate δ ${delta}`,
            params: { problem: 'duplicate δ', expected: `each δ once (already at index ${first})` },
          });
        });
      }),
    fit: ProjectionFit.default('train'),
    /** Project the classifier's output too (phd-lab leaves the logits alone). */
    includeClassifier: z.boolean().default(false),
    /** Also project each layer alone (one more test pass per layer, δ and basis). */
    perLayer: z.boolean().default(true),
    /** Random bases per δ and layer; the control is their mean accuracy, with its spread. */
    randomDraws: z.number().int().min(1).max(100).default(5),
  })
  .strict();
export type ProjectionConfig = z.infer<typeof ProjectionConfig>;

/** One trial: everything a worker needs to train and measure, and nothing else. Canonical: the trial id hashes it. */
export const TrialConfig = z
  .object({
    architecture: ArchitectureName,
    resolution: z.number().int().min(1).max(1024),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1),
    widthMultiplier: z.number().positive().max(8).default(1),
    depth: z.number().int().min(1).max(32).optional(),
    kernelSize: z.number().int().min(1).max(15).optional(),
    baseWidth: z.number().int().min(1).max(1024).optional(),
    dataset: DatasetConfig,
    training: TrainingConfig,
    saturation: SaturationConfig.default(DEFAULT_SATURATION_CONFIG),
    /** Absent = no projection test (and the trial id is the same as before the option existed). */
    projection: ProjectionConfig.optional(),
  })
  .strict();
export type TrialConfig = z.infer<typeof TrialConfig>;
export type TrialConfigInput = z.input<typeof TrialConfig>;
