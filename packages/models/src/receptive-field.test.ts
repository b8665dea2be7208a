import { describe, expect, it } from 'vitest';
import { describeArchitecture } from './describe.ts';
import { analyzeReceptiveFields } from './receptive-field.ts';

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
    // gap covers pool5's 1×1 map: r stays 212 at 32 px.
    expect(rf.slice(-3).map((l) => [l.name, l.receptiveField, l.unproductive])).toEqual([
      ['pool5', 212, true],
      ['fc1', 212, true],
      ['classifier', 212, true],
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
    // 10 + 13·2 = 36 ≥ 28, so the classifier, which reads only that, is a border layer.
    const cnn = analyzeReceptiveFields(
      describeArchitecture('simple-cnn', { resolution: 28, channels: 1, classes: 10 }),
    );
    expect(cnn.map((l) => [l.name, l.receptiveField, l.unproductive])).toEqual([
      ['conv1', 3, false],
      ['conv2', 5, false],
      ['pool1', 6, false],
      ['conv3', 10, false],
      ['classifier', 36, true],
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
});
