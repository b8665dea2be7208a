import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it, vi } from 'vitest';
import { BackendUnavailableError, InvalidBackendOptionError, UnknownBackendError } from './errors.ts';
import { selectBackend } from './select-backend.ts';

const require = createRequire(import.meta.url);
function installed(pkg: string): boolean {
  try {
    require.resolve(`${pkg}/package.json`);
    return true;
  } catch {
    return false;
  }
}
const hasTfjsNode = installed('@tensorflow/tfjs-node') || installed('@tensorflow/tfjs-node-gpu');
const hasDawn = installed('webgpu');

/** Whether Dawn finds a real GPU here (a software adapter such as llvmpipe does not count). */
async function hasHardwareGpu(): Promise<boolean> {
  if (!hasDawn) return false;
  try {
    return !(await selectBackend('webgpu')).device.includes('software');
  } catch (error) {
    if (error instanceof BackendUnavailableError) return false;
    throw error;
  }
}
const hardwareGpu = await hasHardwareGpu();

describe('selectBackend', () => {
  it.skipIf(hasTfjsNode)('explains how to get tensorflow where tfjs-node is not installed', async () => {
    const attempt = selectBackend('tensorflow');
    await expect(attempt).rejects.toThrow(BackendUnavailableError);
    await expect(attempt).rejects.toThrow(
      /'@tensorflow\/tfjs-node-gpu' is not installed.*'@tensorflow\/tfjs-node' is not installed/,
    );
    await expect(attempt).rejects.toThrow(/npm install @tensorflow\/tfjs-node@4\.22\.0/);
  });

  it.skipIf(hasDawn)('explains how to get webgpu where the Dawn package is not installed', async () => {
    const attempt = selectBackend('webgpu');
    await expect(attempt).rejects.toThrow(BackendUnavailableError);
    await expect(attempt).rejects.toThrow(/'webgpu'.*npm install webgpu/);
    expect((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu).toBeUndefined();
  });

  it.skipIf(hasTfjsNode || hardwareGpu)(
    'auto picks wasm without tfjs-node and a hardware GPU, with the training kernels registered',
    async () => {
      const active = await selectBackend('auto');
      expect(active).toEqual({ name: 'wasm', device: 'wasm (XNNPACK, SIMD, 1 thread)' });
      expect(tf.getBackend()).toBe('wasm');
      expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    },
  );

  it('switches to cpu without the "install the node backend" banner', async () => {
    const warn = vi.spyOn(console, 'warn');
    try {
      expect(await selectBackend('cpu')).toEqual({
        name: 'cpu',
        device: 'cpu (tfjs reference kernels in JavaScript)',
      });
      tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync());
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it('accepts wasmThreads but reports the one thread the Node build runs', async () => {
    expect(await selectBackend('wasm', { wasmThreads: 2 })).toEqual({
      name: 'wasm',
      device: 'wasm (XNNPACK, SIMD, 1 thread)',
    });
  });

  it('rejects unknown choices and bad options with errors that name them', async () => {
    await expect(selectBackend('gpu' as never)).rejects.toThrow(UnknownBackendError);
    await expect(selectBackend('gpu' as never)).rejects.toThrow(/'gpu'.*'auto', 'tensorflow'/);
    await expect(selectBackend('wasm', { wasmThreads: 0 })).rejects.toThrow(InvalidBackendOptionError);
    await expect(selectBackend('wasm', { wasmThreads: 0 })).rejects.toThrow(/wasmThreads 0/);
  });
});
