import { ARCHITECTURES } from '@satfarm/contracts';
import { describe, expect, it } from 'vitest';
import { describeArchitecture, minimumResolution } from './describe.ts';
import { InvalidArchitectureOptionError, ResolutionTooSmallError } from './errors.ts';
import type { LayerSpec } from './layer-graph.ts';

const base = { channels: 3, classes: 10 };
const convs = (layers: LayerSpec[]) => layers.filter((l) => l.kind === 'conv');

describe('describeArchitecture', () => {
  it('lays out the benchmark simple-cnn at 28 px', () => {
    const graph = describeArchitecture('simple-cnn', { resolution: 28, channels: 1, classes: 10 });
    expect(graph.layers.map((l) => [l.name, l.kind, l.width, l.outputSize])).toEqual([
      ['conv1', 'conv', 16, 28],
      ['conv2', 'conv', 16, 28],
      ['pool1', 'pool', 16, 14],
      ['conv3', 'conv', 32, 14],
      ['gap', 'gap', 32, 1],
      ['classifier', 'dense', 10, 1],
    ]);
    expect(graph.layers.filter((l) => l.tracked).map((l) => l.name)).toEqual([
      'conv1',
      'conv2',
      'conv3',
      'classifier',
    ]);
    expect(graph.layers.filter((l) => l.kind === 'conv').every((l) => l.batchNorm)).toBe(true);
    expect(graph.totalStride).toBe(2);
    expect(graph.minResolution).toBe(2);
  });

  it('pools simple-cnn after conv 2, 4, 6 only when a conv follows, doubling widths up to 8·base', () => {
    const graph = describeArchitecture('simple-cnn', {
      resolution: 64,
      ...base,
      depth: 9,
      kernelSize: 5,
      baseWidth: 8,
    });
    expect(graph.layers.map((l) => (l.kind === 'conv' ? l.width : l.kind))).toEqual([
      8,
      8,
      'pool',
      16,
      16,
      'pool',
      32,
      32,
      'pool',
      64,
      64,
      64,
      'gap',
      'dense',
    ]);
    expect(convs(graph.layers).every((l) => l.kernel === 5 && l.padding === 'same')).toBe(true);
    expect(graph.totalStride).toBe(8);
    // depth 4: no pool between conv4 and the global average.
    const four = describeArchitecture('simple-cnn', { resolution: 8, ...base, depth: 4 });
    expect(four.layers.filter((l) => l.kind === 'pool').map((l) => l.name)).toEqual(['pool1']);
  });

  it('has the VGG and ResNet conv counts', () => {
    const counts = { vgg11: 8, vgg13: 10, vgg16: 13, vgg19: 16 } as const;
    for (const [arch, count] of Object.entries(counts)) {
      const graph = describeArchitecture(arch as keyof typeof counts, { resolution: 32, ...base });
      expect(convs(graph.layers), arch).toHaveLength(count);
      expect(
        graph.layers.filter((l) => l.kind === 'pool'),
        arch,
      ).toHaveLength(5);
      expect(graph.layers.filter((l) => l.tracked).length, arch).toBe(count + 2);
      expect(graph.totalStride, arch).toBe(32);
    }
    for (const [arch, plain, shortcuts] of [
      ['resnet18', 17, 3],
      ['resnet34', 33, 3],
    ] as const) {
      const graph = describeArchitecture(arch, { resolution: 32, ...base });
      const shortcutLayers = convs(graph.layers).filter((l) => l.name.endsWith('_shortcut'));
      expect(convs(graph.layers), arch).toHaveLength(plain + shortcuts);
      expect(
        shortcutLayers.map((l) => [l.kernel, l.stride]),
        arch,
      ).toEqual([
        [1, 2],
        [1, 2],
        [1, 2],
      ]);
      expect(convs(graph.layers).every((l) => l.tracked && l.batchNorm)).toBe(true);
      expect(graph.totalStride, arch).toBe(8);
    }
  });

  it('wires a ResNet block: conv1 → conv2 (no ReLU) + projection, add, ReLU', () => {
    const graph = describeArchitecture('resnet18', { resolution: 32, ...base });
    const byName = new Map(graph.layers.map((l) => [l.name, l]));
    expect(byName.get('stage1_block1_add')?.inputs).toEqual(['stage1_block1_conv2', 'conv1']);
    expect(byName.get('stage2_block1_conv1')).toMatchObject({
      inputs: ['stage1_block2_add'],
      stride: 2,
      outputSize: 16,
    });
    expect(byName.get('stage2_block1_conv2')).toMatchObject({ activation: 'linear', batchNorm: true });
    expect(byName.get('stage2_block1_add')).toMatchObject({
      inputs: ['stage2_block1_conv2', 'stage2_block1_shortcut'],
      activation: 'relu',
      tracked: false,
      outputSize: 16,
    });
    expect(byName.get('stage4_block2_add')?.outputSize).toBe(4);
    expect(graph.layers.at(-1)).toMatchObject({
      name: 'classifier',
      kind: 'dense',
      width: 10,
      tracked: true,
    });
  });

  it('scales conv and hidden dense widths by the multiplier but keeps the classifier', () => {
    const vgg = describeArchitecture('vgg16', { resolution: 32, ...base, widthMultiplier: 0.25 });
    expect(convs(vgg.layers).map((l) => l.width)).toEqual([
      16, 16, 32, 32, 64, 64, 64, 128, 128, 128, 128, 128, 128,
    ]);
    expect(vgg.layers.slice(-2).map((l) => [l.name, l.width])).toEqual([
      ['fc1', 128],
      ['classifier', 10],
    ]);
    const resnet = describeArchitecture('resnet18', { resolution: 32, ...base, widthMultiplier: 0.25 });
    expect([...new Set(convs(resnet.layers).map((l) => l.width))]).toEqual([16, 32, 64, 128]);
    const cnn = describeArchitecture('simple-cnn', { resolution: 28, ...base, widthMultiplier: 0.25 });
    expect(convs(cnn.layers).map((l) => l.width)).toEqual([4, 4, 8]);
    // Never below one channel.
    const tiny = describeArchitecture('vgg11', { resolution: 32, ...base, widthMultiplier: 0.001 });
    expect(convs(tiny.layers).every((l) => l.width === 1)).toBe(true);
  });

  it('computes sides with floor for pools and ceil for strided same convs', () => {
    const vgg = describeArchitecture('vgg11', { resolution: 45, ...base });
    expect(vgg.layers.filter((l) => l.kind === 'pool').map((l) => l.outputSize)).toEqual([22, 11, 5, 2, 1]);
    const resnet = describeArchitecture('resnet34', { resolution: 9, ...base });
    expect(resnet.layers.filter((l) => l.name.endsWith('block1_conv1')).map((l) => l.outputSize)).toEqual([
      9, 5, 3, 2,
    ]);
  });
});

describe('minimum resolution', () => {
  it('is exact for every architecture', () => {
    for (const arch of ['vgg11', 'vgg13', 'vgg16', 'vgg19'] as const)
      expect(minimumResolution(arch, base)).toBe(32);
    // 'same' convs map n to ceil(n/2), which never reaches 0: a 1×1 input stays 1×1.
    expect(minimumResolution('resnet18', base)).toBe(1);
    expect(minimumResolution('resnet34', base)).toBe(1);
    // simple-cnn: 2^(pools); each valid 2×2 pool needs a side of at least 2, 'same' convs keep sides.
    const simple = [1, 2, 3, 4, 5, 6, 7, 12].map((depth) =>
      minimumResolution('simple-cnn', { ...base, depth }),
    );
    expect(simple).toEqual([1, 1, 2, 2, 4, 4, 8, 8]);
    expect(minimumResolution('simple-cnn', { ...base, depth: 3, kernelSize: 7 })).toBe(2);
  });

  it('accepts the minimum and rejects one pixel less, naming the minimum', () => {
    for (const arch of ARCHITECTURES) {
      const min = minimumResolution(arch, base);
      expect(describeArchitecture(arch, { resolution: min, ...base }).minResolution, arch).toBe(min);
      expect(
        Math.min(...describeArchitecture(arch, { resolution: min, ...base }).layers.map((l) => l.outputSize)),
      ).toBe(1);
      if (min > 1) {
        expect(() => describeArchitecture(arch, { resolution: min - 1, ...base }), arch).toThrow(
          ResolutionTooSmallError,
        );
      }
    }
    expect(() => describeArchitecture('vgg11', { resolution: 16, ...base })).toThrow(
      'resolution 16 is too small for vgg11: its feature maps would shrink below 1×1; the smallest valid resolution is 32',
    );
    try {
      describeArchitecture('simple-cnn', { resolution: 1, ...base });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ResolutionTooSmallError);
      expect(error).toMatchObject({ resolution: 1, minimum: 2, architecture: 'simple-cnn' });
    }
  });
});

describe('option validation', () => {
  it('rejects bad options with the field and value', () => {
    const bad: [() => unknown, RegExp][] = [
      [
        () => describeArchitecture('vgg99' as 'vgg11', { resolution: 32, ...base }),
        /architecture 'vgg99'.*vgg11/,
      ],
      [() => describeArchitecture('vgg11', { resolution: 32.5, ...base }), /resolution '32.5'/],
      [() => describeArchitecture('vgg11', { resolution: 32, channels: 0, classes: 10 }), /channels '0'/],
      [() => describeArchitecture('vgg11', { resolution: 32, channels: 3, classes: -1 }), /classes '-1'/],
      [
        () => describeArchitecture('vgg11', { resolution: 32, ...base, widthMultiplier: 0 }),
        /widthMultiplier '0'/,
      ],
      [() => describeArchitecture('simple-cnn', { resolution: 32, ...base, depth: 0 }), /depth '0'/],
      [
        () => describeArchitecture('simple-cnn', { resolution: 32, ...base, kernelSize: 2.5 }),
        /kernelSize '2.5'/,
      ],
      [
        () => describeArchitecture('resnet18', { resolution: 32, ...base, depth: 5 }),
        /depth '5'.*only simple-cnn/,
      ],
      [() => minimumResolution('vgg16', { ...base, baseWidth: 8 }), /baseWidth '8'/],
    ];
    for (const [call, message] of bad) {
      expect(call).toThrow(InvalidArchitectureOptionError);
      expect(call).toThrow(message);
    }
  });
});
