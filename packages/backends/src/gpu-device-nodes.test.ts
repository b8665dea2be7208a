import { describe, expect, it } from 'vitest';
import { hasGpuDeviceNode } from './gpu-device-nodes.ts';

describe('hasGpuDeviceNode', () => {
  it('sees NVIDIA devices and DRM render nodes, nothing else', () => {
    expect(hasGpuDeviceNode(['null', 'nvidiactl', 'nvidia0', 'nvidia-uvm'], [])).toBe(true);
    expect(hasGpuDeviceNode(['null', 'tty'], ['card0', 'renderD128'])).toBe(true);
    // nvidiactl and nvidia-uvm exist without a usable GPU in some containers; card0 alone is a display.
    expect(hasGpuDeviceNode(['null', 'nvidiactl', 'nvidia-uvm'], ['card0'])).toBe(false);
    expect(hasGpuDeviceNode([], [])).toBe(false);
  });
});
