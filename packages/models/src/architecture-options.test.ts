import { describe, expect, it } from 'vitest';
import { architectureOptionsOf } from './architecture-options.ts';

const config = {
  resolution: 28,
  widthMultiplier: 0.5,
  depth: 3,
  kernelSize: undefined,
  baseWidth: undefined,
  dataset: { name: 'cifar10' as const },
};

describe('architectureOptionsOf', () => {
  it("takes the input shape from the trial's dataset unless the loaded dataset is given", () => {
    expect(architectureOptionsOf(config)).toMatchObject({
      resolution: 28,
      channels: 3,
      classes: 10,
      depth: 3,
    });
    expect(architectureOptionsOf(config, { channels: 1, classes: 4 })).toMatchObject({
      channels: 1,
      classes: 4,
    });
  });
});
