import { describe, expect, it } from 'vitest';
import {
  comparePciBusIds,
  driPrimeTag,
  gpuPinningEnv,
  parsePciBusId,
  pinGpus,
  UnknownGpuError,
} from './gpu-pinning.ts';

describe('gpuPinningEnv', () => {
  it('pins CUDA and Vulkan (Mesa device-select) to the GPU when its PCI bus id is known', () => {
    expect(gpuPinningEnv({ gpu: '1', pciBusId: '0000:18:00.0' })).toEqual({
      CUDA_DEVICE_ORDER: 'PCI_BUS_ID',
      CUDA_VISIBLE_DEVICES: '1',
      SATFARM_GPU: '1',
      DRI_PRIME: 'pci-0000_18_00_0',
      MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE: '1',
    });
  });

  it('pins CUDA only when the bus id is unknown', () => {
    expect(gpuPinningEnv({ gpu: '3', pciBusId: undefined })).toEqual({
      CUDA_DEVICE_ORDER: 'PCI_BUS_ID',
      CUDA_VISIBLE_DEVICES: '3',
      SATFARM_GPU: '3',
    });
  });
});

describe('driPrimeTag', () => {
  it("writes Mesa's pci-%04x_%02x_%02x_%1u", () => {
    expect(driPrimeTag('0000:18:00.0')).toBe('pci-0000_18_00_0');
    expect(driPrimeTag('0000:AF:1F.7')).toBe('pci-0000_af_1f_7');
    // nvidia-smi writes the domain with 8 digits.
    expect(driPrimeTag('00000001:3b:00.0')).toBe('pci-0001_3b_00_0');
  });

  it('refuses what is not a PCI bus id', () => {
    expect(() => driPrimeTag('18:00.0')).toThrow(/not a PCI bus id: '18:00.0'; expected .*0000:18:00.0/);
    expect(parsePciBusId('0000:18:00.8')).toBeUndefined();
  });
});

describe('comparePciBusIds', () => {
  it('orders by domain, bus, device and function, as numbers', () => {
    const ids = ['0000:af:00.0', '0001:01:00.0', '0000:3b:00.0', '0000:18:00.1', '0000:18:00.0'];
    expect([...ids].sort(comparePciBusIds)).toEqual([
      '0000:18:00.0',
      '0000:18:00.1',
      '0000:3b:00.0',
      '0000:af:00.0',
      '0001:01:00.0',
    ]);
    expect(comparePciBusIds('0000:0A:00.0', '0000:09:00.0')).toBeGreaterThan(0);
  });
});

describe('pinGpus', () => {
  const found = ['0000:18:00.0', '0000:3b:00.0', '0000:86:00.0'];

  it('pairs each GPU id with the bus id at that index', () => {
    expect(pinGpus(['2', '0'], found)).toEqual([
      { gpu: '2', pciBusId: '0000:86:00.0' },
      { gpu: '0', pciBusId: '0000:18:00.0' },
    ]);
  });

  it('leaves bus ids unknown when the driver lists none', () => {
    expect(pinGpus(['0', '7'], [])).toEqual([
      { gpu: '0', pciBusId: undefined },
      { gpu: '7', pciBusId: undefined },
    ]);
  });

  it('refuses an id beyond the GPUs found, naming the id and those found', () => {
    expect(() => pinGpus(['0', '3'], found)).toThrow(UnknownGpuError);
    expect(() => pinGpus(['3'], found)).toThrow(
      'gpus: no GPU 3 on this machine; the NVIDIA driver lists 3 ' +
        '(0 = 0000:18:00.0, 1 = 0000:3b:00.0, 2 = 0000:86:00.0); expected ids 0 to 2',
    );
  });
});
