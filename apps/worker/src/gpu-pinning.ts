/**
 * The environment that pins a trainer process to one GPU, and the PCI bus ids that tie GPU ids to
 * devices. Pure: discovery of the bus ids is in gpu-discovery.ts.
 *
 * - tfjs-node-gpu (CUDA) sees only `CUDA_VISIBLE_DEVICES`; `CUDA_DEVICE_ORDER=PCI_BUS_ID` makes the id
 *   mean what nvidia-smi shows (CUDA's default order is "fastest first").
 * - Dawn (WebGPU over Vulkan) ignores CUDA's variables. Mesa's Vulkan device-select layer reads
 *   `DRI_PRIME=pci-DDDD_BB_DD_F` and, with `MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE=1`, shows the
 *   process only that device; for this the GPU's PCI bus id must be known.
 */

/** A PCI bus id as the NVIDIA driver names its GPUs: `0000:18:00.0` (domain:bus:device.function, hex). */
const PCI_BUS_ID = /^([0-9a-f]{4,8}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/i;

export interface PciAddress {
  domain: number;
  bus: number;
  device: number;
  function: number;
}

/** The parts of a PCI bus id, or undefined when `text` is not one. */
export function parsePciBusId(text: string): PciAddress | undefined {
  const m = PCI_BUS_ID.exec(text);
  if (m === null) return undefined;
  const [, domain, bus, device, fn] = m as unknown as [string, string, string, string, string];
  return {
    domain: Number.parseInt(domain, 16),
    bus: Number.parseInt(bus, 16),
    device: Number.parseInt(device, 16),
    function: Number.parseInt(fn, 16),
  };
}

/** Orders PCI bus ids as the bus enumerates them (CUDA's PCI_BUS_ID order, nvidia-smi's numbering). */
export function comparePciBusIds(a: string, b: string): number {
  const x = parsePciBusId(a);
  const y = parsePciBusId(b);
  if (x === undefined || y === undefined) return a.localeCompare(b);
  return x.domain - y.domain || x.bus - y.bus || x.device - y.device || x.function - y.function;
}

/**
 * `0000:18:00.0` → `pci-0000_18_00_0`: the tag Mesa's device-select layer compares `DRI_PRIME` with
 * (`pci-%04x_%02x_%02x_%1u`, lower-case hex).
 */
export function driPrimeTag(busId: string): string {
  const a = parsePciBusId(busId);
  if (a === undefined) {
    throw new Error(`not a PCI bus id: '${busId}'; expected domain:bus:device.function such as 0000:18:00.0`);
  }
  const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
  return `pci-${hex(a.domain, 4)}_${hex(a.bus, 2)}_${hex(a.device, 2)}_${a.function}`;
}

/** One GPU a group of trainer processes is pinned to. */
export interface GpuPin {
  /** The id as nvidia-smi numbers it (`--gpus`). */
  gpu: string;
  /** Its PCI bus id, where the driver told us (needed to pin WebGPU/Vulkan). */
  pciBusId: string | undefined;
}

/** The variables added to a trainer process's environment to pin it to `pin.gpu`. */
export function gpuPinningEnv(pin: GpuPin): Record<string, string> {
  const env: Record<string, string> = {
    CUDA_DEVICE_ORDER: 'PCI_BUS_ID',
    CUDA_VISIBLE_DEVICES: pin.gpu,
    SATFARM_GPU: pin.gpu,
  };
  if (pin.pciBusId !== undefined) {
    env['DRI_PRIME'] = driPrimeTag(pin.pciBusId);
    env['MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE'] = '1';
  }
  return env;
}

/** A GPU id this machine does not have. */
export class UnknownGpuError extends Error {
  override readonly name = 'UnknownGpuError';
  constructor(
    readonly gpu: string,
    /** The PCI bus ids found, in GPU-id order. */
    readonly found: readonly string[],
  ) {
    const listed = found.map((busId, i) => `${i} = ${busId}`).join(', ');
    super(
      `gpus: no GPU ${gpu} on this machine; the NVIDIA driver lists ${found.length} ` +
        `(${listed}); expected ids 0 to ${found.length - 1}`,
    );
  }
}

/**
 * Pairs each requested GPU id with its PCI bus id (`busIds[i]` is GPU i). An id beyond a non-empty list
 * is an {@link UnknownGpuError}; with an empty list (no NVIDIA driver here) every bus id is unknown.
 */
export function pinGpus(gpus: readonly string[], busIds: readonly string[]): GpuPin[] {
  return gpus.map((gpu) => {
    if (busIds.length === 0) return { gpu, pciBusId: undefined };
    const pciBusId = busIds[Number(gpu)];
    if (pciBusId === undefined) throw new UnknownGpuError(gpu, busIds);
    return { gpu, pciBusId };
  });
}
