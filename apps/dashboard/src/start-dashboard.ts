import { createServer, type Server } from 'node:http';
import { isIP } from 'node:net';
import { createPool, type Pool } from '@satfarm/db';
import { type DashboardLogger, DashboardRequests } from './dashboard-requests.ts';
import { InvalidDashboardOptionError } from './errors.ts';
import { healthPoolFor } from './health.ts';
import { hostChecker } from './host-header.ts';
import { SweepPlotCache } from './sweep-plot-cache.ts';

export type { DashboardLogger };

export type DashboardOptions = (
  | { pool: Pool; databaseUrl?: never }
  | { databaseUrl: string; pool?: never }
) & {
  /** Interface to listen on (default 127.0.0.1: the dashboard is for this machine unless told otherwise). */
  host?: string;
  /** Port (default 8080; 0 picks a free one). */
  port?: number;
  logger?: DashboardLogger;
};

export interface Dashboard {
  /** `http://host:port/` */
  url: string;
  host: string;
  port: number;
  /** Stops listening, ends open connections and closes the pool if the dashboard opened it. */
  close(): Promise<void>;
}

/**
 * A read-only web dashboard over the satfarm database: sweeps with live progress, each sweep's
 * resolution study and plots, each trial's saturation per layer by epoch. Only GET and HEAD are
 * served (anything else: 405). A database that goes away turns pages into a 503 that recovers by
 * itself: the pool drops dead connections and the next request opens fresh ones.
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const { host, port } = listenOptions(options);
  const pools = openPools(options);
  const requests = new DashboardRequests(
    { pool: pools.pool, healthPool: pools.healthPool, plots: new SweepPlotCache() },
    options.logger,
  );
  const server = createServer(requests.listener);
  let bound: { address: string; port: number };
  try {
    bound = await listen(server, host, port);
  } catch (error) {
    await pools.end();
    throw new InvalidDashboardOptionError(
      'host/port',
      `${host}:${port}`,
      `an address and port this machine can listen on (${(error as Error).message})`,
    );
  }
  requests.allowHosts(hostChecker(host, bound.address));
  let closing: Promise<void> | undefined;
  return {
    url: `http://${isIP(host) === 6 ? `[${host}]` : host}:${bound.port}/`,
    host,
    port: bound.port,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await pools.end();
      })();
      return closing;
    },
  };
}

/** The interface and port to listen on, defaulted and checked. */
function listenOptions(options: DashboardOptions): { host: string; port: number } {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidDashboardOptionError('port', port, 'a whole number from 0 to 65535');
  }
  if (host === '')
    throw new InvalidDashboardOptionError('host', host, 'an address or host name, e.g. 127.0.0.1');
  return { host, port };
}

/**
 * The pool pages read from (the caller's, or one the dashboard opens and so also ends) and the
 * one-connection pool /healthz has to itself; `end()` closes what the dashboard opened.
 */
function openPools(options: DashboardOptions): { pool: Pool; healthPool: Pool; end(): Promise<void> } {
  const ownsPool = options.pool === undefined;
  const pool =
    options.pool ??
    createPool(options.databaseUrl, {
      max: 4,
      connectionTimeoutMillis: 3_000,
      applicationName: 'satfarm-dashboard',
      onIdleError: (error) =>
        options.logger?.warn('idle database connection failed', { error: error.message }),
    });
  const healthPool = healthPoolFor(pool);
  return {
    pool,
    healthPool,
    async end() {
      await healthPool.end();
      if (ownsPool) await pool.end();
    },
  };
}

/** Listens on `host:port`; resolves with the address and port bound (port 0 picks a free one). */
async function listen(
  server: Server,
  host: string,
  port: number,
): Promise<{ address: string; port: number }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return typeof address === 'object' && address !== null
    ? { address: address.address, port: address.port }
    : { address: host, port };
}
