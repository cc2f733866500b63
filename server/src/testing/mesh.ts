import type { VideoGrant } from '@teacher-hub/protocol';
import { WebSocket } from 'ws';
import type { ServedHub } from '../serve.ts';

export interface MeshConnection {
  socket: WebSocket;
  /** Resolves with the close code when the relay (or the test) closes the socket. */
  closed: Promise<number>;
}

/**
 * Opens a mesh grant's signalling socket on a served hub (whatever host `signalUrl` names, this test's
 * port) and waits for the relay's welcome; rejects when the relay closes it first (with the code).
 */
export async function connectToMesh(served: ServedHub, video: VideoGrant): Promise<MeshConnection> {
  if (!video.signalUrl) throw new Error('not a mesh grant: no signalUrl');
  const url = new URL(video.signalUrl);
  const socket = new WebSocket(
    `ws://127.0.0.1:${served.address.port}${url.pathname}?token=${encodeURIComponent(video.authToken)}`,
  );
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    socket.on('message', (data: Buffer) => {
      if ((JSON.parse(data.toString()) as { type: string }).type === 'welcome') resolve();
    });
    socket.on('error', reject);
    socket.on('close', (code) => reject(new Error(`closed with ${code} before the welcome`)));
  });
  return { socket, closed };
}
