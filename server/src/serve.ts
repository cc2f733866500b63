import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { EMULATOR_PATH } from './chat.ts';
import type { Services } from './services.ts';

export interface ServedHub {
  server: ServerType;
  address: AddressInfo;
  /** How this process reaches itself (`http://127.0.0.1:<port>`), whatever `HUB_PUBLIC_URL` says. */
  loopbackOrigin: string;
}

/**
 * Serves the hub's app on a Node HTTP server, as `main.ts` runs it: requests, WebSocket upgrades (the chat
 * emulator's `/stream/connect` and the mesh relay's `/v1/mesh/connect` in dev mode; any other upgrade is refused), and, once listening, tells chat
 * where the emulator's webhooks should go.
 */
export async function serveHub(
  services: Services,
  app: { fetch: (request: Request) => Response | Promise<Response> },
  options: { port: number; hostname?: string | undefined },
): Promise<ServedHub> {
  const server = serve({ fetch: app.fetch, port: options.port, hostname: options.hostname });
  server.on('upgrade', (request, socket, head) => {
    const path = new URL(request.url ?? '/', 'http://hub.invalid').pathname;
    const emulator = services.chat.emulator;
    if (emulator && path === `${EMULATOR_PATH}/connect`) emulator.handleUpgrade(request, socket, head);
    else if (!services.calls.handleUpgrade(request, socket, head)) socket.destroy();
  });
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([error]) => Promise.reject(error as Error)),
  ]);
  const address = server.address() as AddressInfo;
  const loopbackOrigin = `http://${loopbackHost(address)}:${address.port}`;
  await services.chat.listening(loopbackOrigin);
  return { server, address, loopbackOrigin };
}

function loopbackHost(address: AddressInfo): string {
  if (address.address === '::' || address.address === '0.0.0.0') return '127.0.0.1';
  return address.family === 'IPv6' ? `[${address.address}]` : address.address;
}
