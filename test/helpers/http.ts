/** The HTTP server under every stand-in of the tests: receivers, provider APIs, a sender's peer. */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';

export interface HttpPeer {
  baseUrl: string;
  /** Cuts open connections (answered or not) and stops listening. */
  close(): Promise<void>;
}

/** Listens on a free port of 127.0.0.1 and hands each request, with its whole body, to `onRequest`. */
export async function listenHttp(
  onRequest: (request: http.IncomingMessage, body: string, response: http.ServerResponse) => void,
): Promise<HttpPeer> {
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => onRequest(request, Buffer.concat(chunks).toString('utf8'), response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A TCP listener on 127.0.0.1 that accepts and never says a word (a receiver or relay that hangs). */
export async function listenSilently(): Promise<{ port: number; sockets: ReadonlySet<net.Socket>; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
