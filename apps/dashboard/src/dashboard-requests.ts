import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@satfarm/contracts';
import { classifyError } from './classify-error.ts';
import { BadRequestError } from './errors.ts';
import { errorPage } from './pages/error-page.ts';
import { type Reply, ROUTES, type RouteContext } from './routes.ts';

/** The logging the dashboard does: warnings and errors only. */
export type DashboardLogger = Pick<Logger, 'warn' | 'error'>;

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
 * Answers the dashboard's HTTP requests: GET and HEAD only (anything else: 405), only to allowed Host
 * headers (403), each path to its route, and every failure as an error page or JSON error. Remembers
 * whether the database was last seen away, to log its going and coming back once each.
 */
export class DashboardRequests {
  // Known once listening: whether the address bound is loopback decides which Host headers pass.
  private allowedHost: (header: string | undefined) => boolean = () => false;
  private databaseDown = false;

  constructor(
    private readonly context: RouteContext,
    private readonly logger: DashboardLogger | undefined,
  ) {}

  /** Lets requests through whose Host header `check` accepts (none before this is called). */
  allowHosts(check: (header: string | undefined) => boolean): void {
    this.allowedHost = check;
  }

  /** The server's request listener: a failure while replying is logged and ends the connection. */
  readonly listener = (request: IncomingMessage, response: ServerResponse): void => {
    this.handle(request, response).catch((error: unknown) => {
      this.logger?.error('dashboard request failed while replying', { error: String(error) });
      response.destroy();
    });
  };

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
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
    if (!this.allowedHost(request.headers.host)) {
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
        this.replyForError('/', new BadRequestError('the request target is not a valid URL')),
      );
      return;
    }
    const route = match(url.pathname);
    if (route === undefined) {
      send(response, method, this.replyForError(url.pathname, new NotFoundPath(url.pathname)));
      return;
    }
    let reply: Reply;
    try {
      reply = await route.handler(this.context, route.params, url.searchParams);
      if (this.databaseDown) this.logger?.warn('database reachable again');
      this.databaseDown = false;
    } catch (error) {
      reply = this.replyForError(url.pathname, error);
    }
    send(response, method, reply);
  }

  private replyForError(path: string, error: unknown): Reply {
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
      this.logger?.error('dashboard request failed', {
        path,
        reference,
        error: error instanceof Error ? (error.stack ?? String(error)) : String(error),
      });
    }
    if (c.databaseDown && !this.databaseDown) this.logger?.warn('database unreachable', { error: c.message });
    this.databaseDown = c.databaseDown;
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
