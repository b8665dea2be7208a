import type { ReportEpoch, ReportInput, ReportLayer, ReportProjection, ReportTrial } from './report-input.ts';

/** Test data only: small report inputs built trial by trial. */
export const VARIANT = { architecture: 'simple-cnn', variant: 'widthMultiplier=1,depth=7' } as const;

export function emptyInput(over: Partial<ReportInput> = {}): ReportInput {
  return {
    sweep: { id: 'abc', name: 'repro', createdAt: new Date(0), completedAt: new Date(600_000) },
    commands: ['satfarm report repro --out docs/r.md'],
    specText: 'name: repro\n',
    machine: '2 CPU cores',
    trials: [],
    epochs: [],
    layers: [],
    projections: [],
    legacyProjections: [],
    recommendations: [],
    images: { sweep: 'r/sweep.svg', trials: [] },
    ...over,
  };
}

export const trialId = (resolution: number, seed: number, variant: string = VARIANT.variant) =>
  `${variant}-${resolution}-${seed}`;

export function trial(
  resolution: number,
  seed: number,
  testAccuracy: number,
  over: Partial<ReportTrial> = {},
): ReportTrial {
  return {
    ...VARIANT,
    resolution,
    seed,
    status: 'completed',
    epochs: 4,
    testAccuracy,
    seconds: 100,
    wallSeconds: 120,
    backend: 'wasm',
    ...over,
  };
}

/** One trial's curve: test accuracies per epoch (train accuracy 10 points above). */
export function curve(
  resolution: number,
  seed: number,
  tests: number[],
  variant: string = VARIANT.variant,
): ReportEpoch[] {
  return tests.map((testAccuracy, i) => ({
    ...VARIANT,
    variant,
    trialId: trialId(resolution, seed, variant),
    resolution,
    seed,
    epoch: i + 1,
    trainAccuracy: testAccuracy + 0.1 + 0.01 * i,
    testAccuracy,
    seconds: 25,
    tailLength: 0,
  }));
}

export function layer(
  resolution: number,
  seed: number,
  layerName: string,
  evalSaturation: number,
  unproductive: boolean,
): ReportLayer {
  return {
    ...VARIANT,
    trialId: trialId(resolution, seed),
    resolution,
    seed,
    layerIndex: Number(layerName.replace(/\D/g, '')) - 1,
    layerName,
    kind: 'conv',
    width: 64,
    receptiveField: 24,
    unproductive,
    evalSaturation,
  };
}

export function projection(
  resolution: number,
  seed: number,
  testAccuracy: number,
  accuracy: number,
  randomAccuracies: number[],
  over: Partial<ReportProjection> = {},
): ReportProjection {
  return {
    ...VARIANT,
    trialId: trialId(resolution, seed),
    resolution,
    seed,
    fit: 'train',
    includesClassifier: false,
    scope: 'all',
    layerName: null,
    layerIndex: null,
    delta: 0.99,
    k: 70,
    width: 100,
    testAccuracy,
    accuracy,
    randomAccuracies,
    ...over,
  };
}
