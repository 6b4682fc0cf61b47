import type net from 'node:net';

/** Listens on an ephemeral loopback port (or the given one); resolves to the port. */
export function listenOnLoopback(server: net.Server, port = 0, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}
