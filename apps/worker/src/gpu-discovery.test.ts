import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverNvidiaGpuBusIds } from './gpu-discovery.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'satfarm-gpus-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('discoverNvidiaGpuBusIds', () => {
  it('lists the GPU directories in PCI bus order, ignoring anything else', async () => {
    for (const name of ['0000:af:00.0', '0000:18:00.0', '0000:3b:00.0']) {
      await mkdir(join(dir, name));
      await writeFile(join(dir, name, 'information'), 'Model: fake\n');
    }
    await writeFile(join(dir, 'README'), 'not a GPU');
    expect(await discoverNvidiaGpuBusIds(dir)).toEqual(['0000:18:00.0', '0000:3b:00.0', '0000:af:00.0']);
  });

  it('finds nothing where the driver is not loaded', async () => {
    expect(await discoverNvidiaGpuBusIds(join(dir, 'missing'))).toEqual([]);
    expect(await discoverNvidiaGpuBusIds(dir)).toEqual([]);
    await writeFile(join(dir, 'file'), '');
    expect(await discoverNvidiaGpuBusIds(join(dir, 'file'))).toEqual([]);
  });
});
