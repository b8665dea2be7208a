import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { Logger } from '@satfarm/contracts';
import { createPool, type Pool } from '@satfarm/db';
import { classifyError } from './classify-error.ts';
import { BadRequestError, InvalidDashboardOptionError } from './errors.ts';
import { healthPoolFor } from './health.ts';
import { hostChecker } from './host-header.ts';
import { errorPage } from './pages/error-page.ts';
import { type Reply, ROUTES } from './routes.ts';
import { SweepPlotCache } from './sweep-plot-cache.ts';

/** The logging the dashboard does: warnings and errors only. */
export type DashboardLogger = Pick<Logger, 'warn' | 'error'>;

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

const READ_METHODS = new Set(['GET', 'HEAD']);

// Pages carry no inline script or style; SVG presentation attributes are not CSS and need nothing.
const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
};

/**
 * A read-only web dashboard over the satfarm database: sweeps with live progress, each sweep's
 * resolution study and plots, each trial's saturation per layer by epoch. Only GET and HEAD are
 * served (anything else: 405). A database that goes away turns pages into a 503 that recovers by
 * itself: the pool drops dead connections and the next request opens fresh ones.
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidDashboardOptionError('port', port, 'a whole number from 0 to 65535');
  }
  if (host === '')
    throw new InvalidDashboardOptionError('host', host, 'an address or host name, e.g. 127.0.0.1');
  const logger = options.logger;
  const ownsPool = options.pool === undefined;
  const pool =
    options.pool ??
    createPool(options.databaseUrl, {
      max: 4,
      connectionTimeoutMillis: 3_000,
      applicationName: 'satfarm-dashboard',
      onIdleError: (error) => logger?.warn('idle database connection failed', { error: error.message }),
    });
  const healthPool = healthPoolFor(pool);
  const plots = new SweepPlotCache();
  // Known once listening: whether the address bound is loopback decides which Host headers pass.
  let allowedHost: (header: string | undefined) => boolean = () => false;
  let databaseDown = false;

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      logger?.error('dashboard request failed while replying', { error: String(error) });
      response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    if (!READ_METHODS.has(method)) {
      send(response, method, {
        status: 405,
        type: 'text/plain; charset=utf-8',
        body: `method ${method} is not allowed: this dashboard is read-only (GET and HEAD only)\n`,
        headers: { Allow: 'GET, HEAD' },
      });
      return;
    }
    if (!allowedHost(request.headers.host)) {
      // A loopback dashboard answers only to loopback names, so a web page elsewhere cannot rebind a
      // DNS name to 127.0.0.1 and read it.
      send(response, method, {
        status: 403,
        type: 'text/plain; charset=utf-8',
        body: 'unexpected Host header\n',
      });
      return;
    }
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'http://dashboard.invalid');
    } catch {
      send(
        response,
        method,
        replyForError('/', new BadRequestError('the request target is not a valid URL')),
      );
      return;
    }
    const route = match(url.pathname);
    if (route === undefined) {
      send(response, method, replyForError(url.pathname, new NotFoundPath(url.pathname)));
      return;
    }
    let reply: Reply;
    try {
      reply = await route.handler({ pool, healthPool, plots }, route.params, url.searchParams);
      if (databaseDown) logger?.warn('database reachable again');
      databaseDown = false;
    } catch (error) {
      reply = replyForError(url.pathname, error);
    }
    send(response, method, reply);
  }

  function replyForError(path: string, error: unknown): Reply {
    if (error instanceof NotFoundPath) {
      return {
        status: 404,
        type: 'text/html; charset=utf-8',
        body: errorPage(404, 'Not found', `nothing lives at ${path}`, false),
      };
    }
    let c = classifyError(error);
    if (c.status === 500) {
      // The reader gets a reference, the log gets the error: messages of unexpected errors can hold
      // file paths, SQL or stack frames that are nobody's business beyond this machine's operator.
      const reference = randomUUID().slice(0, 8);
      c = { ...c, message: `${c.message} (reference ${reference})` };
      logger?.error('dashboard request failed', {
        path,
        reference,
        error: error instanceof Error ? (error.stack ?? String(error)) : String(error),
      });
    }
    if (c.databaseDown && !databaseDown) logger?.warn('database unreachable', { error: c.message });
    databaseDown = c.databaseDown;
    if (path.startsWith('/api/') || path === '/healthz' || path.endsWith('.svg')) {
      return {
        status: c.status,
        type: 'application/json; charset=utf-8',
        body: `${JSON.stringify({ error: c.message, databaseDown: c.databaseDown })}\n`,
      };
    }
    return {
      status: c.status,
      type: 'text/html; charset=utf-8',
      body: errorPage(c.status, c.heading, c.message, c.databaseDown),
    };
  }

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await healthPool.end();
    if (ownsPool) await pool.end();
    throw new InvalidDashboardOptionError(
      'host/port',
      `${host}:${port}`,
      `an address and port this machine can listen on (${(error as Error).message})`,
    );
  }
  const address = server.address();
  const boundPort = typeof address === 'object' && address !== null ? address.port : port;
  allowedHost = hostChecker(host, typeof address === 'object' && address !== null ? address.address : host);
  let closing: Promise<void> | undefined;
  return {
    url: `http://${isIP(host) === 6 ? `[${host}]` : host}:${boundPort}/`,
    host,
    port: boundPort,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await healthPool.end();
        if (ownsPool) await pool.end();
      })();
      return closing;
    },
  };
}

class NotFoundPath extends Error {
  override name = 'NotFoundPath';
}

function match(
  pathname: string,
): { handler: (typeof ROUTES)[number]['handler']; params: string[] } | undefined {
  for (const route of ROUTES) {
    const m = route.pattern.exec(pathname);
    if (m === null) continue;
    try {
      return { handler: route.handler, params: m.slice(1).map((p) => decodeURIComponent(p)) };
    } catch {
      return undefined; // malformed %-escape
    }
  }
  return undefined;
}

function send(response: ServerResponse, method: string, reply: Reply): void {
  const body = typeof reply.body === 'string' ? Buffer.from(reply.body) : reply.body;
  response.writeHead(reply.status, {
    ...SECURITY_HEADERS,
    ...reply.headers,
    'Content-Type': reply.type,
    'Content-Length': String(body.length),
  });
  response.end(method === 'HEAD' ? undefined : body);
}
