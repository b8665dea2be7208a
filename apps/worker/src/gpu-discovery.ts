import { readdir } from 'node:fs/promises';
import { comparePciBusIds, parsePciBusId } from './gpu-pinning.ts';

/** Where the NVIDIA driver lists its GPUs, one directory per PCI bus id (`0000:18:00.0`). */
export const NVIDIA_GPUS_DIR = '/proc/driver/nvidia/gpus';

/**
 * The PCI bus ids of the GPUs the NVIDIA driver reports in `dir`, in PCI bus order: index i is GPU i as
 * nvidia-smi and CUDA (with CUDA_DEVICE_ORDER=PCI_BUS_ID) number them. Empty where there is no such
 * directory (no NVIDIA driver loaded); other read errors are thrown, naming the directory.
 */
export async function discoverNvidiaGpuBusIds(dir: string = NVIDIA_GPUS_DIR): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw new Error(`cannot list the NVIDIA GPUs in ${dir}: ${(error as Error).message}`, { cause: error });
  }
  return names.filter((name) => parsePciBusId(name) !== undefined).sort(comparePciBusIds);
}
