import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type ServiceProcess, spawnService, startService } from '../src/spawn-service.ts';

const FAKE = fileURLToPath(new URL('./fake-service.ts', import.meta.url));
const started: ServiceProcess[] = [];

function fake(mode: string): Promise<ServiceProcess> {
  return startService({
    id: `fake-${mode}`,
    cwd: process.cwd(),
    args: ['--import', 'tsx', FAKE, mode],
    readyMessage: 'fake ready',
    onSpawn: (service) => started.push(service),
  });
}

afterEach(async () => {
  for (const service of started.splice(0)) {
    service.kill('SIGKILL');
    await service.exited;
  }
});

describe('runService', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('closes the service on %s and exits 0', async (signal) => {
    const service = await fake('ok');
    service.kill(signal);
    expect(await service.exited).toEqual({ code: 0, signal: null });
    expect(service.logs.map((l) => l.msg)).toEqual(['fake ready', 'fake closed']);
  });

  it('exits 1 with the stack when closing fails', async () => {
    const service = await fake('close-fails');
    service.kill('SIGTERM');
    expect(await service.exited).toEqual({ code: 1, signal: null });
    expect(service.logs).toContainEqual({ level: 'raw', msg: 'Error: could not close' });
  });

  it("exits 1 naming the service when it cannot start, the message's control characters escaped", async () => {
    const service = spawnService({
      id: 'fake',
      cwd: process.cwd(),
      args: ['--import', 'tsx', FAKE, 'start-fails'],
    });
    started.push(service);
    expect(await service.exited).toEqual({ code: 1, signal: null });
    expect(service.logs).toEqual([{ level: 'raw', msg: 'fake service: no such queue \\x1b[31mred\\x1b[0m' }]);
  });
});

describe('startService', () => {
  it('rejects when the service exits before it is ready', async () => {
    await expect(fake('start-fails')).rejects.toThrow(/^fake-start-fails exited during start-up: /);
  });
});
