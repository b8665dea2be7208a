import { describe, expect, it } from 'vitest';
import { smallestProductiveResolution } from './productive-resolution.ts';

const base = { channels: 1, classes: 10, widthMultiplier: 1 };

describe('smallestProductiveResolution', () => {
  it('is one past the smallest receptive field among the unproductive conv layer and its input', () => {
    // VGG16 convs: 3,5,10,14,24,32,40,60,76,92,132,164,196. conv13 (196) has input conv12 (164):
    // it stops being unproductive once the resolution exceeds 164.
    expect(smallestProductiveResolution('vgg16', base)).toBe(165);
    // VGG11 convs 3,8,18,26,46,62,102,134 (pool4 before conv7: 70) → conv8's input conv7 has 102.
    expect(smallestProductiveResolution('vgg11', base)).toBe(103);
  });

  it('grows with depth for simple-cnn', () => {
    const shallow = smallestProductiveResolution('simple-cnn', { ...base, depth: 3 })!;
    const deep = smallestProductiveResolution('simple-cnn', { ...base, depth: 8 })!;
    expect(shallow).toBeLessThan(deep);
  });

  it('is 32 px for the CIFAR ResNets, as rfa_toolbox finds', () => {
    // Below 32 stage 4's 3×3 convs read maps of floor(r/8) ≤ 3 px (the feature-map rule); running
    // rfa_toolbox's is_border over 1…200 px on its small-stem ResNet18 and 34 gave 32 for both.
    expect(smallestProductiveResolution('resnet18', base)).toBe(32);
    expect(smallestProductiveResolution('resnet34', base)).toBe(32);
  });
});
