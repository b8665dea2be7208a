import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from './build-model.ts';
import { describeArchitecture } from './describe.ts';
import type { ArchitectureGraph } from './layer-graph.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const base = { channels: 3, classes: 10 };

function trainableParams(model: tf.LayersModel): number {
  return model.trainableWeights.reduce(
    (sum, w) => sum + w.shape.reduce((a: number, b) => a * (b ?? 1), 1),
    0,
  );
}

/** Symbolic shape expected for a tracked layer's raw output. */
function expectedShape(graph: ArchitectureGraph, name: string): (number | null)[] {
  const layer = graph.layers.find((l) => l.name === name);
  if (layer === undefined) throw new Error(`no layer ${name}`);
  return layer.kind === 'dense'
    ? [null, layer.width]
    : [null, layer.outputSize, layer.outputSize, layer.width];
}

describe('buildModel', () => {
  it('outputs logits then every tracked layer, shaped as the graph says', () => {
    const cases = [
      describeArchitecture('simple-cnn', { resolution: 28, channels: 1, classes: 10 }),
      describeArchitecture('vgg11', { resolution: 45, ...base, widthMultiplier: 1 / 16 }),
      describeArchitecture('resnet18', { resolution: 9, ...base, widthMultiplier: 1 / 16 }),
      describeArchitecture('resnet18', { resolution: 1, ...base, widthMultiplier: 1 / 16 }),
    ];
    for (const graph of cases) {
      const { model, tracked } = buildModel(graph, { seed: 3 });
      try {
        expect(tracked.map((l) => l.name)).toEqual(graph.layers.filter((l) => l.tracked).map((l) => l.name));
        expect(model.outputs).toHaveLength(1 + tracked.length);
        expect(model.inputs[0]?.shape).toEqual([null, graph.resolution, graph.resolution, graph.channels]);
        expect(model.outputs[0]?.shape).toEqual([null, graph.classes]);
        expect(model.outputNames[0]).toBe('logits');
        expect(model.outputs.slice(1).map((o) => o.shape)).toEqual(
          tracked.map((l) => expectedShape(graph, l.name)),
        );
        // Run it: the concrete shapes agree with the symbolic ones (odd sides, a 1×1 input).
        const outputs = tf.tidy(() =>
          model.predict(tf.ones([2, graph.resolution, graph.resolution, graph.channels])),
        );
        const list = Array.isArray(outputs) ? outputs : [outputs];
        expect(list.map((t) => t.shape)).toEqual(model.outputs.map((o) => [2, ...o.shape.slice(1)]));
        // The logits equal the tracked classifier output (no activation after it).
        expect(Array.from(list[0]!.dataSync())).toEqual(Array.from(list.at(-1)!.dataSync()));
        tf.dispose(list);
      } finally {
        model.dispose();
      }
    }
  });

  it('tracks conv outputs before batch norm and ReLU, and uses biases only without batch norm', () => {
    const graph = describeArchitecture('resnet18', { resolution: 8, ...base, widthMultiplier: 1 / 16 });
    const { model } = buildModel(graph, { seed: 1 });
    try {
      const conv = model.getLayer('stage2_block1_conv1');
      expect(model.outputs[1 + 5]?.sourceLayer.name).toBe('stage2_block1_conv1');
      expect(conv.getConfig()).toMatchObject({
        useBias: false,
        strides: [2, 2],
        padding: 'same',
        activation: 'linear',
      });
      expect(model.getLayer('stage2_block1_conv1_bn').getConfig()).toMatchObject({ momentum: 0.9 });
      expect(model.getLayer('stage2_block1_add_relu').getConfig()).toMatchObject({ activation: 'relu' });
      expect(() => model.getLayer('stage2_block1_conv2_relu')).toThrow();
    } finally {
      model.dispose();
    }
    const cnn = buildModel(describeArchitecture('simple-cnn', { resolution: 28, ...base }), { seed: 1 });
    expect(cnn.model.getLayer('conv1').getConfig()).toMatchObject({ useBias: false });
    expect(cnn.model.getLayer('conv1_bn').getConfig()).toMatchObject({ momentum: 0.9 });
    expect(cnn.model.getLayer('classifier').getConfig()).toMatchObject({ useBias: true });
    cnn.model.dispose();
  });

  it('builds identical weights from the same seed and unrelated ones from another', () => {
    const graph = describeArchitecture('vgg11', { resolution: 32, ...base, widthMultiplier: 1 / 16 });
    const weights = (seed: number) => {
      const { model } = buildModel(graph, { seed });
      const values = model.weights.map((w) => ({ name: w.name, data: Array.from(w.read().dataSync()) }));
      model.dispose();
      return values;
    };
    const a = weights(7);
    const b = weights(7);
    const c = weights(8);
    expect(b.map((w) => w.data)).toEqual(a.map((w) => w.data));
    const kernels = (ws: typeof a) => ws.filter((w) => w.name.includes('kernel')).map((w) => w.data);
    const [ka, kc] = [kernels(a), kernels(c)];
    expect(ka).toHaveLength(10);
    // No kernel of seed 8 repeats any kernel of seed 7 — not even a neighbouring layer's of equal shape
    // (conv6/conv7/conv8 of VGG11 are all 512·m → 512·m).
    for (const x of kc) for (const y of ka) expect(x).not.toEqual(y);
  });

  it('refuses a seed that is not a non-negative integer', () => {
    const graph = describeArchitecture('simple-cnn', { resolution: 8, ...base });
    expect(() => buildModel(graph, { seed: -1 })).toThrow(/seed '-1'/);
    expect(() => buildModel(graph, { seed: 1.5 })).toThrow(/seed '1.5'/);
  });

  it('frees every tensor on dispose', () => {
    const graph = describeArchitecture('resnet18', { resolution: 16, ...base, widthMultiplier: 1 / 8 });
    const before = tf.memory().numTensors;
    const { model } = buildModel(graph, { seed: 0 });
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    const outputs = tf.tidy(() => model.predict(tf.zeros([1, 16, 16, 3])));
    tf.dispose(outputs);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('builds a full-width resnet34 quickly, with the PyTorch CIFAR ResNet34 parameter count', () => {
    const graph = describeArchitecture('resnet34', { resolution: 32, ...base });
    const start = performance.now();
    const { model, tracked } = buildModel(graph, { seed: 0 });
    const seconds = (performance.now() - start) / 1000;
    try {
      // 1.3 s on one core here, nearly all of it drawing 21 M truncated-normal weights.
      expect(seconds).toBeLessThan(15);
      expect(tracked).toHaveLength(37);
      // Same count as the widely used PyTorch CIFAR ResNet34 (convs without bias, BN affine, fc 512→10).
      expect(trainableParams(model)).toBe(21_282_122);
    } finally {
      model.dispose();
    }
  });
});
