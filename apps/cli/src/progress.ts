import { SingleBar } from 'cli-progress';

/** A progress bar on stderr that stays silent when stderr is not a terminal or output is JSON. */
export function progressBar(
  enabled: boolean,
  format: string,
): {
  start(total: number, payload?: Record<string, unknown>): void;
  update(value: number, payload?: Record<string, unknown>): void;
  stop(): void;
} {
  if (!enabled || !process.stderr.isTTY) {
    return { start() {}, update() {}, stop() {} };
  }
  const bar = new SingleBar({ format, stream: process.stderr, hideCursor: true, clearOnComplete: true });
  let running = false;
  return {
    start(total, payload) {
      if (running) bar.stop();
      bar.start(total, 0, payload);
      running = true;
    },
    update(value, payload) {
      bar.update(value, payload);
    },
    stop() {
      if (running) bar.stop();
      running = false;
    },
  };
}
