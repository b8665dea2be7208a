import { receptiveFields, unproductiveLayers } from '@satfarm/saturation';
import { describe, expect, it } from 'vitest';
import { describeArchitecture } from './describe.ts';
import { analyzeReceptiveFields } from './receptive-field.ts';
import { toRfNodes } from './rf-nodes.ts';

const base = { channels: 3, classes: 10 };

describe('analyzeReceptiveFields', () => {
  it('reproduces VGG16 at 32 px: conv7 onward unproductive', () => {
    const rf = analyzeReceptiveFields(describeArchitecture('vgg16', { resolution: 32, ...base }));
    const convs = rf.filter((l) => l.kind === 'conv');
    expect(convs.map((l) => l.receptiveField)).toEqual([3, 5, 10, 14, 24, 32, 40, 60, 76, 92, 132, 164, 196]);
    expect(convs.map((l) => l.unproductive)).toEqual([...Array(6).fill(false), ...Array(7).fill(true)]);
    // Lists conv/pool/dense in forward order; gap is computed through but not listed.
    expect(rf.map((l) => l.kind)).toEqual([
      ...['conv', 'conv', 'pool', 'conv', 'conv', 'pool'],
      ...['conv', 'conv', 'conv', 'pool', 'conv', 'conv', 'conv', 'pool', 'conv', 'conv', 'conv', 'pool'],
      'dense',
      'dense',
    ]);
    // gap covers pool5's 1×1 map: r stays 212 at 32 px. Dense layers are not convs: the border
    // prediction does not apply to them, whatever their (finite) field.
    expect(rf.slice(-3).map((l) => [l.name, l.receptiveField, l.prediction, l.unproductive])).toEqual([
      ['pool5', 212, 'unproductive', true],
      ['fc1', 212, 'not a conv', false],
      ['classifier', 212, 'not a conv', false],
    ]);
    expect(convs.map((l) => l.prediction)).toEqual([
      ...Array(6).fill('productive'),
      ...Array(7).fill('unproductive'),
    ]);
  });

  it('lets dense layers see the whole map they pool over', () => {
    // At 64 px pool5 is 2×2 with jump 32: gap's kernel 2 adds 32 pixels.
    const rf = analyzeReceptiveFields(describeArchitecture('vgg16', { resolution: 64, ...base }));
    expect(rf.find((l) => l.name === 'fc1')?.receptiveField).toBe(244);
    expect(rf.filter((l) => l.unproductive && l.kind === 'conv').map((l) => l.name)).toEqual([
      'conv10',
      'conv11',
      'conv12',
      'conv13',
    ]);
    // The benchmark CNN at 28 px: conv3 sees 10 px; global pooling spans the 14×14 map (jump 2),
    // 10 + 13·2 = 36 ≥ 28; the classifier reads only that, but is a dense layer, not a conv.
    const cnn = analyzeReceptiveFields(
      describeArchitecture('simple-cnn', { resolution: 28, channels: 1, classes: 10 }),
    );
    expect(cnn.map((l) => [l.name, l.receptiveField, l.prediction])).toEqual([
      ['conv1', 3, 'productive'],
      ['conv2', 5, 'productive'],
      ['pool1', 6, 'productive'],
      ['conv3', 10, 'productive'],
      ['classifier', 36, 'not a conv'],
    ]);
  });

  it('follows the shortcut through residual adds', () => {
    const rf = analyzeReceptiveFields(describeArchitecture('resnet18', { resolution: 32, ...base }));
    const field = (name: string) => rf.find((l) => l.name === name)?.receptiveField;
    expect(rf.some((l) => l.name.endsWith('_add') || l.name === 'gap')).toBe(false);
    // stem 3; stage1 block1: conv1 5, conv2 7; the add takes the identity path (3), so block2 conv1 = 5.
    expect(field('stage1_block1_conv2')).toBe(7);
    expect(field('stage1_block2_conv1')).toBe(5);
    // The projection shortcut (1×1, stride 2) reads the stage-1 output (r 3): r 3, jump 2.
    expect(field('stage2_block1_shortcut')).toBe(3);
    expect(field('stage2_block2_conv1')).toBe(7);
    // Shortest paths keep every ResNet conv productive at 32 px.
    expect(rf.filter((l) => l.kind === 'conv' && l.unproductive)).toEqual([]);
  });

  // rfa_toolbox's own is_border on its CIFAR-stem ResNet18 (resnet(stage_config=[2, 2, 2, 2],
  // block=residual_block, stem_factory=small_stem) in rfa_toolbox/architectures/resnet.py; its stages
  // count from 0) gave these conv border layers, with rfa's names mapped to satfarm's. Most come from
  // the feature-map rule: stage 4 reads maps of floor(r/8) px, no larger than a 3×3 kernel below 32 px.
  it.each([
    [
      8,
      [
        'stage3_block1_conv2',
        'stage3_block2_conv1',
        'stage3_block2_conv2',
        'stage4_block1_conv1',
        'stage4_block1_conv2',
        'stage4_block2_conv1',
        'stage4_block2_conv2',
      ],
    ],
    [16, ['stage4_block1_conv2', 'stage4_block2_conv1', 'stage4_block2_conv2']],
    [24, ['stage4_block1_conv2', 'stage4_block2_conv1', 'stage4_block2_conv2']],
    [32, []],
  ])('marks the ResNet18 border layers rfa_toolbox marks at %i px', (resolution, expected) => {
    const rf = analyzeReceptiveFields(describeArchitecture('resnet18', { resolution, ...base }));
    expect(rf.filter((l) => l.unproductive).map((l) => l.name)).toEqual(expected);
    expect(rf.find((l) => l.name === 'classifier')?.prediction).toBe('not a conv');
  });

  it('flags as many ResNet18 convs as rfa_toolbox at every resolution from 8 to 33 px', () => {
    // rfa_toolbox's own is_border, same network: 7 border convs at 8–15 px, 3 at 16–31, none from 32.
    for (let resolution = 8; resolution <= 33; resolution++) {
      const rf = analyzeReceptiveFields(describeArchitecture('resnet18', { resolution, ...base }));
      const want = resolution < 16 ? 7 : resolution < 32 ? 3 : 0;
      expect(
        rf.filter((l) => l.kind === 'conv' && l.unproductive),
        `${resolution} px`,
      ).toHaveLength(want);
    }
  });

  it('keeps whole-map layers out of the feature-map rule', () => {
    // At 64 px ResNet18's gap has kernel 8 over the 8-px stage-4 map: a sliding window would count as
    // covering it, but gap and the dense classifier read the whole map by construction.
    const nodes = toRfNodes(describeArchitecture('resnet18', { resolution: 64, ...base }).layers);
    expect(nodes.find((n) => n.name === 'gap')).toMatchObject({ kernel: 8, global: true });
    expect([...unproductiveLayers(nodes, receptiveFields(nodes), 64)]).toEqual([]);
  });
});
