import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { tempDirTest as it } from '../../../test/support/temp-dir.ts';
import { discoverNvidiaGpuBusIds } from './gpu-discovery.ts';

describe('discoverNvidiaGpuBusIds', () => {
  it('lists the GPU directories in PCI bus order, ignoring anything else', async ({ dir }) => {
    for (const name of ['0000:af:00.0', '0000:18:00.0', '0000:3b:00.0']) {
      await mkdir(join(dir, name));
      await writeFile(join(dir, name, 'information'), 'Model: fake\n');
    }
    await writeFile(join(dir, 'README'), 'not a GPU');
    expect(await discoverNvidiaGpuBusIds(dir)).toEqual(['0000:18:00.0', '0000:3b:00.0', '0000:af:00.0']);
  });

  it('finds nothing where the driver is not loaded', async ({ dir }) => {
    expect(await discoverNvidiaGpuBusIds(join(dir, 'missing'))).toEqual([]);
    expect(await discoverNvidiaGpuBusIds(dir)).toEqual([]);
    await writeFile(join(dir, 'file'), '');
    expect(await discoverNvidiaGpuBusIds(join(dir, 'file'))).toEqual([]);
  });
});
