/**
 * A TCP forwarder for tests: listens on `listenHost:port` (port 0 = any) and pipes every connection to
 * `target`. `close()` stops listening and cuts every connection, as a network outage or a dead host
 * would; `reopen()` listens again on the same address, as the network coming back.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface TcpForwarder {
  readonly host: string;
  readonly port: number;
  /** Connections accepted so far, by the peer's address. */
  readonly peers: ReadonlyMap<string, number>;
  close(): Promise<void>;
  reopen(): Promise<void>;
}

export async function startTcpForwarder(options: {
  listenHost: string;
  port?: number;
  target: { host: string; port: number };
}): Promise<TcpForwarder> {
  const sockets = new Set<Socket>();
  const peers = new Map<string, number>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const serve = (client: Socket) => {
    track(client);
    const address = client.remoteAddress ?? '?';
    peers.set(address, (peers.get(address) ?? 0) + 1);
    client.setNoDelay(true);
    const upstream = connect({ ...options.target, noDelay: true });
    track(upstream);
    // Either side failing or closing ends both: the peer sees what it would see without the forwarder.
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  };
  const listen = async (port: number): Promise<Server> => {
    const server = createServer(serve);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, options.listenHost, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return server;
  };
  let server: Server | undefined = await listen(options.port ?? 0);
  const bound = server.address();
  if (bound === null || typeof bound === 'string') throw new Error('forwarder: no TCP address');
  const port = bound.port;
  return {
    host: options.listenHost,
    port,
    peers,
    async close() {
      const closing = server;
      server = undefined;
      if (closing === undefined) return;
      const closed = new Promise<void>((resolve) => closing.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    async reopen() {
      server ??= await listen(port);
    },
  };
}
