import { describe, expect, it } from 'vitest';
import { parseWorkerArgs } from './cli-args.ts';
import { parseGpuList } from './gpu-list.ts';
import { WorkerUsageError } from './worker-usage-error.ts';

describe('parseGpuList', () => {
  it('keeps the order given and writes each id canonically', () => {
    expect(parseGpuList('0,1,3')).toEqual(['0', '1', '3']);
    expect(parseGpuList('2')).toEqual(['2']);
    expect(parseGpuList(' 3 , 01 ')).toEqual(['3', '1']);
  });

  it.each([
    ['', /--gpus: got '': no GPU ids; expected comma-separated GPU ids/],
    ['  ', /--gpus: got ' {2}': no GPU ids/],
    ['0,,1', /--gpus: got '0,,1': an empty entry is not a GPU id; expected/],
    ['0,', /an empty entry is not a GPU id/],
    ['-1', /--gpus: got '-1': '-1' is not a GPU id; expected .*whole number >= 0/],
    ['1.5', /'1\.5' is not a GPU id/],
    ['gpu0', /'gpu0' is not a GPU id/],
    ['0 1', /'0 1' is not a GPU id/],
    ['99999999999999999999', /is not a GPU id/],
    ['0,1,0', /--gpus: got '0,1,0': GPU 0 is listed twice; expected .*given once/],
    ['1,01', /GPU 1 is listed twice/],
  ])('refuses %j, naming the flag, the value and what is valid', (value, message) => {
    expect(() => parseGpuList(value)).toThrow(WorkerUsageError);
    expect(() => parseGpuList(value)).toThrow(message);
  });

  it('names the flag it is given', () => {
    expect(() => parseGpuList('x', '--devices')).toThrow(/^--devices: got 'x'/);
  });
});

describe('parseWorkerArgs --gpus', () => {
  it('passes the GPU ids on, and nothing without the flag', () => {
    expect(parseWorkerArgs(['--gpus', '0,1', '--concurrency', '5'], {})).toMatchObject({
      gpus: ['0', '1'],
      concurrency: 5,
    });
    expect(parseWorkerArgs([], {}).gpus).toBeUndefined();
  });

  it('refuses a bad list as a usage error', () => {
    expect(() => parseWorkerArgs(['--gpus', '0,a'], {})).toThrow(WorkerUsageError);
    expect(() => parseWorkerArgs(['--gpus', '0,a'], {})).toThrow(/--gpus: got '0,a': 'a' is not a GPU id/);
  });
});
