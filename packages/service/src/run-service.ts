import { escapeControlCharacters } from '@satfarm/contracts';

/** A started service: `close()` finishes its work in hand and releases what it holds. */
export interface Closable {
  close(): Promise<void>;
}

/**
 * The body of a standalone entry script (`apps/worker/src/main.ts`, `apps/aggregator/src/main.ts`):
 * starts the service, and on SIGTERM or SIGINT closes it and exits 0 (1, with the stack, when closing
 * fails). A start that fails prints `NAME: message` and exits 1.
 */
export async function runService(name: string, start: () => Promise<Closable>): Promise<void> {
  try {
    const service = await start();
    const stop = () => {
      service.close().then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  } catch (error) {
    // Messages quote paths, URLs and ids: their control characters are escaped, as the CLI does.
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${name}: ${escapeControlCharacters(message)}\n`);
    process.exit(1);
  }
}
