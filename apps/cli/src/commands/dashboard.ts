import { startDashboard } from '@satfarm/dashboard';
import type { Command } from 'commander';
import type { SatfarmEnv } from '../env.ts';
import { UsageError } from '../errors.ts';
import { printable } from '../format.ts';

export function registerDashboard(program: Command, env: () => SatfarmEnv): void {
  program
    .command('dashboard')
    .description(
      'serve a read-only web dashboard: sweeps with live progress, resolution studies, saturation per layer',
    )
    .option('--port <port>', 'port to listen on (0: any free port)', '8080')
    .option(
      '--host <host>',
      'interface to listen on; 0.0.0.0 serves every interface (anyone who reaches it reads all results)',
      '127.0.0.1',
    )
    .action(async (flags: { port: string; host: string }) => {
      if (!/^\d+$/.test(flags.port) || Number(flags.port) > 65_535) {
        throw new UsageError(
          `--port: got ${JSON.stringify(flags.port)}; expected a whole number from 0 to 65535`,
        );
      }
      const line = (level: string) => (message: string, fields?: Record<string, unknown>) => {
        const detail = fields === undefined ? '' : ` ${Object.values(fields).map(String).join('; ')}`;
        // Details can quote what a browser asked for (paths, names): no raw control characters.
        process.stderr.write(`satfarm dashboard: ${level}${printable(`${message}${detail}`)}\n`);
      };
      const dashboard = await startDashboard({
        databaseUrl: env().databaseUrl,
        host: flags.host,
        port: Number(flags.port),
        logger: { warn: line(''), error: line('error: ') },
      });
      process.stdout.write(`satfarm dashboard: serving ${dashboard.url} (read-only; Ctrl-C stops it)\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await dashboard.close();
    });
}
