import { describe, expect, it } from 'vitest';
import { DatasetNotFoundError, InvalidDatasetOptionError } from './errors.ts';
import { loadDataset } from './load-dataset.ts';
import { syntheticDataset } from './synthetic.ts';
import { sameValues } from './test-fixtures.ts';

describe('loadDataset', () => {
  it('builds synthetic data with default counts 512/256 and seed 0', async () => {
    const ds = await loadDataset({ name: 'synthetic' });
    expect([ds.train.count, ds.test.count]).toEqual([512, 256]);
    const expected = syntheticDataset({ seed: 0, trainCount: 512, testCount: 256 });
    expect(sameValues(ds.train.images, expected.train.images)).toBe(true);
  });

  it('uses limits as synthetic counts and passes the seed', async () => {
    const ds = await loadDataset({ name: 'synthetic', trainLimit: 20, testLimit: 8, seed: 9 });
    expect([ds.train.count, ds.test.count]).toEqual([20, 8]);
    const expected = syntheticDataset({ seed: 9, trainCount: 20, testCount: 8 });
    expect(sameValues(ds.test.images, expected.test.images)).toBe(true);
    await expect(loadDataset({ name: 'synthetic', trainLimit: 0 })).rejects.toThrow(/trainLimit '0'/);
  });

  it('requires a directory for cifar10', async () => {
    const err = await loadDataset({ name: 'cifar10' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidDatasetOptionError);
    expect((err as Error).message).toContain('cifar10Dir');
    expect((err as Error).message).toContain('cifar-10-batches-bin');
  });

  it('passes directories through to the loaders', async () => {
    await expect(loadDataset({ name: 'fashion-mnist', fashionMnistDir: '/nonexistent/fm' })).rejects.toThrow(
      DatasetNotFoundError,
    );
    await expect(loadDataset({ name: 'cifar10', cifar10Dir: '/nonexistent/c10' })).rejects.toThrow(
      /'\/nonexistent\/c10' does not exist/,
    );
  });

  it('loads Fashion-MNIST from its default directory', async () => {
    const ds = await loadDataset({ name: 'fashion-mnist', trainLimit: 64, testLimit: 32 });
    expect([ds.name, ds.train.count, ds.test.count, ds.height]).toEqual(['fashion-mnist', 64, 32, 28]);
  });
});
