import * as tf from '@tensorflow/tfjs';
import { describeArchitecture } from '@satfarm/models';
import { buildModel } from '@satfarm/models/builder';
import { mulberry32, projectionMatrix, randomOrthonormalBasis } from '@satfarm/saturation';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '@satfarm/backends';
import {
  type ChannelProjection,
  forwardWithProjections,
  planWalk,
  scoreVariants,
} from './forward-with-projections.ts';

beforeAll(async () => {
  await selectBackend('wasm');
});

// A ResNet: skip connections read outputs from before a projected layer, the case prefix sharing
// must get right.
function resnet() {
  const graph = describeArchitecture('resnet18', {
    resolution: 8,
    channels: 1,
    classes: 4,
    widthMultiplier: 1 / 16,
  });
  return buildModel(graph, { seed: 2 });
}

const maxDifference = (a: tf.Tensor, b: tf.Tensor) =>
  tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

/** A random rank-k projection of a layer of width d, about a random mean. */
function randomProjection(d: number, k: number, seed: number): ChannelProjection {
  const basis = randomOrthonormalBasis(d, d, mulberry32(seed));
  return {
    mean: tf.randomNormal([d], 0, 1, 'float32', seed) as tf.Tensor1D,
    matrix: tf.tensor2d(Float32Array.from(projectionMatrix(basis, d, k)), [d, d]),
  };
}

describe('forwardWithProjections', () => {
  it('equals the model itself with identity projections, and changes it with a rank-0 one', () => {
    const { model, tracked } = resnet();
    const x = tf.randomNormal([3, 8, 8, 1], 0, 1, 'float32', 1);
    const identity = new Map<string, ChannelProjection>(
      tracked.map((l) => [
        l.name,
        { mean: tf.randomNormal([l.width]) as tf.Tensor1D, matrix: tf.eye(l.width) as tf.Tensor2D },
      ]),
    );
    const [direct, ...rawOutputs] = model.apply(x, { training: false }) as tf.Tensor[];
    tf.dispose(rawOutputs);
    const walked = forwardWithProjections(model, x, identity);
    expect(maxDifference(direct!, walked)).toBeLessThan(1e-4);
    // Projecting the first conv onto nothing (P = 0) makes its output the constant μ: the logits change.
    const first = tracked[0]!;
    const zero = {
      mean: tf.zeros([first.width]) as tf.Tensor1D,
      matrix: tf.zeros([first.width, first.width]) as tf.Tensor2D,
    };
    const changed = forwardWithProjections(model, x, new Map([[first.name, zero]]));
    expect(maxDifference(direct!, changed)).toBeGreaterThan(1e-3);
    tf.dispose([x, direct!, walked, changed, zero.mean, zero.matrix]);
    tf.dispose([...identity.values()].flatMap((p) => [p.mean, p.matrix]));
    model.dispose();
  });
});

describe('scoreVariants', () => {
  it('gives each variant the logits of a whole projected pass, sharing the plain prefix, and frees the rest', () => {
    const { model, tracked } = resnet();
    const walk = planWalk(model);
    const x = tf.randomNormal([5, 8, 8, 1], 0, 1, 'float32', 3);
    const projections = new Map(
      tracked.map((l, i) => [l.name, randomProjection(l.width, Math.max(1, l.width >> 1), 10 + i)]),
    );
    const pick = (...names: string[]) => new Map(names.map((n) => [n, projections.get(n)!]));
    const names = tracked.map((l) => l.name);
    // Early, middle and late layers alone (a late one's block input comes from the plain pass), two at
    // once, and all of them.
    const variants = [
      pick(names[0]!),
      pick(names[Math.floor(names.length / 2)]!),
      pick(names.at(-2)!),
      pick(names[3]!, names.at(-3)!),
      pick(...names),
    ];
    const before = tf.memory().numTensors;
    const scored = scoreVariants(walk, x, variants, (logits) => tf.clone(logits));
    expect(tf.memory().numTensors).toBe(before + 1 + variants.length); // only the scores are left
    const [direct, ...rawOutputs] = model.apply(x, { training: false }) as tf.Tensor[];
    tf.dispose(rawOutputs);
    expect(maxDifference(scored.plain, direct!)).toBeLessThan(1e-5);
    variants.forEach((variant, v) => {
      const whole = forwardWithProjections(model, x, variant);
      expect(maxDifference(scored.variants[v]!, whole), `variant ${v}`).toBeLessThan(1e-5);
      expect(maxDifference(scored.variants[v]!, direct!), `variant ${v} changes the logits`).toBeGreaterThan(
        1e-3,
      );
      whole.dispose();
    });
    expect(() => scoreVariants(walk, x, [new Map()], (l) => tf.clone(l))).toThrow(/projects no layer/);
    expect(() => scoreVariants(walk, x, [pick('nope')], (l) => tf.clone(l))).toThrow(/cannot project nope/);
    expect(tf.memory().numTensors).toBe(before + 2 + variants.length);
    tf.dispose([x, direct!, scored.plain, ...scored.variants]);
    tf.dispose([...projections.values()].flatMap((p) => [p.mean, p.matrix]));
    model.dispose();
  });
});
