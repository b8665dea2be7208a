// A service for run-service.test.ts: `node --import tsx fake-service.ts MODE`, run with runService.
//   ok: starts, logs `fake ready`, closes cleanly on a signal; close-fails: closing throws;
//   start-fails: starting throws an error whose message holds an escape character.
import { runService } from '../src/run-service.ts';

const mode = process.argv[2];
await runService('fake service', async () => {
  if (mode === 'start-fails') throw new Error('no such queue \u001b[31mred\u001b[0m');
  // Keeps the process alive until it is closed, as a worker's connections do.
  const alive = setInterval(() => {}, 1_000);
  process.stderr.write(`${JSON.stringify({ msg: 'fake ready' })}\n`);
  return {
    async close() {
      clearInterval(alive);
      process.stderr.write(`${JSON.stringify({ msg: 'fake closed' })}\n`);
      if (mode === 'close-fails') throw new Error('could not close');
    },
  };
});
