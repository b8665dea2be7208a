import { readdirSync } from 'node:fs';

/**
 * Whether a Linux machine shows any GPU to user space: an NVIDIA device (`/dev/nvidia0`, …) or a DRM
 * render node (`/dev/dri/renderD128`, …). Without one, Dawn can find at most a software adapter
 * (Mesa's llvmpipe), which `auto` does not want, so `auto` does not even load Dawn — which would
 * print Vulkan warnings on every start of a CPU-only worker.
 */
export function hasGpuDeviceNode(devEntries: readonly string[], driEntries: readonly string[]): boolean {
  return devEntries.some((e) => /^nvidia\d+$/.test(e)) || driEntries.some((e) => /^renderD\d+$/.test(e));
}

/** The same for this machine; true where the check does not apply (not Linux). */
export function machineHasGpuDeviceNode(): boolean {
  if (process.platform !== 'linux') return true;
  const list = (dir: string) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  return hasGpuDeviceNode(list('/dev'), list('/dev/dri'));
}
