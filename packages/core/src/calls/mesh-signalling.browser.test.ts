/// <reference types="mocha" />
import { expect } from '@open-wc/testing';
import type { MeshClientMessage, MeshServerMessage, VideoGrant } from '@teacher-hub/protocol';
import { CallEngineError } from './call-engine.ts';
import type { CallSelf } from './call-engine.ts';
import { MeshEngine } from './mesh-engine.ts';
import type { MeshEngineOptions } from './mesh-engine.ts';

/*
 * The mesh engine's own behaviour with a relay the test plays (a stand-in WebSocket): the close codes,
 * reconnecting, pings, and devices that fail. Chromium's fake camera and microphone provide the media.
 */

/** A WebSocket the test drives: `welcome()`, `receive(message)`, `drop(code)`. */
class RelaySocket extends EventTarget {
  readyState: number = WebSocket.CONNECTING;
  readonly sent: MeshClientMessage[] = [];
  constructor(readonly url: string) {
    super();
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data) as MeshClientMessage);
  }
  close(code = 1000): void {
    if (this.readyState === WebSocket.CLOSED) return;
    this.drop(code);
  }
  receive(message: MeshServerMessage): void {
    this.readyState = WebSocket.OPEN;
    this.dispatchEvent(new MessageEvent('message', { data: JSON.stringify(message) }));
  }
  welcome(peerId = 'me'): void {
    this.receive({ type: 'welcome', peerId, peers: [] });
  }
  drop(code: number): void {
    this.readyState = WebSocket.CLOSED;
    this.dispatchEvent(new CloseEvent('close', { code }));
  }
}

const GRANT: VideoGrant = {
  engine: 'mesh',
  roomId: 'call-1',
  authToken: 'token with spaces',
  role: 'student',
  signalUrl: 'ws://relay.test/v1/mesh/connect',
  iceServers: [],
};
const SELF: CallSelf = { userId: 's-01', name: 'Sam Student', role: 'student' };

async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('MeshEngine with a stand-in relay', function () {
  this.timeout(20_000);
  let sockets: RelaySocket[] = [];
  let engine: MeshEngine | undefined;

  function mesh(options: MeshEngineOptions = {}): MeshEngine {
    engine = new MeshEngine({
      createWebSocket: (url) => {
        const socket = new RelaySocket(url);
        sockets.push(socket);
        return socket as unknown as WebSocket;
      },
      ...options,
    });
    return engine;
  }
  const socket = (index = sockets.length - 1) => sockets[index] as RelaySocket;
  const lastMedia = (relay: RelaySocket) =>
    relay.sent.filter((message) => message.type === 'media').at(-1) as Extract<
      MeshClientMessage,
      { type: 'media' }
    >;

  beforeEach(() => {
    sockets = [];
  });
  afterEach(async () => {
    await engine?.leave();
    engine = undefined;
  });

  async function joined(engineToJoin: MeshEngine, media = { audio: true, video: true }): Promise<void> {
    const dialled = sockets.length;
    const joining = engineToJoin.join(GRANT, SELF, media);
    await until(() => sockets.length > dialled, 'the relay is dialled');
    socket().welcome();
    await joining;
  }

  it('dials the grant’s relay with its token, publishes the camera and microphone, and announces them', async () => {
    const call = mesh();
    await joined(call);

    expect(socket().url).to.equal('ws://relay.test/v1/mesh/connect?token=token%20with%20spaces');
    const state = call.store.get();
    expect(state.connection).to.equal('connected');
    expect(state.media).to.deep.equal({ audio: true, video: true, screen: false });
    const [self] = state.participants;
    expect(self?.isLocal).to.equal(true);
    expect(self?.id).to.equal('me');
    expect(self?.videoTrack?.readyState).to.equal('live');
    expect(self?.audioTrack?.readyState).to.equal('live');
    expect(lastMedia(socket()).media).to.deep.equal({ audio: true, video: true, screen: false });

    await call.setMicrophone(false);
    expect(self?.audioTrack?.enabled, 'muted means the track sends silence').to.equal(false);
    expect(lastMedia(socket()).media.audio).to.equal(false);
    await call.setCamera(false);
    expect(call.store.get().media).to.deep.equal({ audio: false, video: false, screen: false });

    await call.leave();
    expect(call.store.get().connection).to.equal('left');
    expect(self?.videoTrack?.readyState, 'the camera light goes off').to.equal('ended');
    expect(self?.audioTrack?.readyState).to.equal('ended');
  });

  it('joins without the camera when the browser refuses it, and says why', async () => {
    const call = mesh({
      getUserMedia: (constraints) =>
        constraints.video
          ? Promise.reject(new DOMException('Permission denied', 'NotAllowedError'))
          : navigator.mediaDevices.getUserMedia(constraints),
    });
    await joined(call);

    const state = call.store.get();
    expect(state.connection).to.equal('connected');
    expect(state.error?.code).to.equal('permission-denied');
    expect(state.error?.message).to.contain('camera');
    expect(state.media).to.deep.equal({ audio: true, video: false, screen: false });
    expect(state.participants[0]?.videoTrack).to.equal(null);
    expect(state.participants[0]?.audioTrack?.readyState).to.equal('live');
  });

  it('a full room refuses the join with room-full', async () => {
    const call = mesh();
    const joining = call.join(GRANT, SELF, { audio: true, video: true });
    await until(() => sockets.length > 0, 'the relay is dialled');
    socket().drop(4429);

    let refused: unknown;
    await joining.catch((error: unknown) => (refused = error));
    expect(refused).to.be.an.instanceOf(CallEngineError);
    expect((refused as CallEngineError).code).to.equal('room-full');
    expect(call.store.get().connection).to.equal('failed');
    expect(call.store.get().error?.message).to.contain('6 people');
    expect(call.store.get().participants).to.deep.equal([]);
  });

  it('the room ending ends the call, by message or by close code, and stops the devices', async () => {
    const byMessage = mesh();
    await joined(byMessage);
    const camera = byMessage.store.get().participants[0]?.videoTrack;
    socket().receive({ type: 'room-ended' });
    expect(byMessage.store.get().connection).to.equal('ended');
    expect(camera?.readyState).to.equal('ended');

    const byCode = mesh();
    await joined(byCode);
    socket().drop(4410);
    expect(byCode.store.get().connection).to.equal('ended');
    expect(sockets).to.have.length(2, 'no reconnect after the end');
  });

  it('another tab of the same user takes the call over: this one leaves and says why', async () => {
    const call = mesh();
    await joined(call);
    socket().drop(4409);
    expect(call.store.get().connection).to.equal('left');
    expect(call.store.get().error?.message).to.contain('another tab');
  });

  it('being taken out of the room (no longer enrolled) ends the call for good and says why', async () => {
    const call = mesh({ reconnectBackoff: { initialMs: 20, maxMs: 40 } });
    await joined(call);
    const camera = call.store.get().participants[0]?.videoTrack;
    socket().drop(4403);
    expect(call.store.get().connection).to.equal('failed');
    expect(call.store.get().error?.message).to.contain('no longer in this class');
    expect(camera?.readyState).to.equal('ended');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sockets).to.have.length(1, 'no reconnect with a token the relay refuses');
  });

  it('reconnects the signalling socket after an unexpected drop, and announces its media again', async () => {
    const call = mesh({ reconnectBackoff: { initialMs: 20, maxMs: 40 } });
    await joined(call);
    await call.setMicrophone(false);

    socket().drop(1006);
    expect(call.store.get().connection).to.equal('reconnecting');
    await until(() => sockets.length === 2, 'a new socket is dialled');
    socket().welcome('me-again');

    expect(call.store.get().connection).to.equal('connected');
    expect(call.store.get().participants[0]?.id).to.equal('me-again');
    expect(lastMedia(socket()).media).to.deep.equal({ audio: false, video: true, screen: false });
  });

  it('reconnects with the freshest grant’s token, ignoring one for another room', async () => {
    const call = mesh({ reconnectBackoff: { initialMs: 20, maxMs: 40 } });
    await joined(call, { audio: false, video: false });
    call.updateGrant({ ...GRANT, authToken: 'refreshed' });
    call.updateGrant({ ...GRANT, roomId: 'another-room', authToken: 'not for this room' });
    expect(sockets).to.have.length(1, 'the open socket is kept');

    socket().drop(1006);
    await until(() => sockets.length === 2, 'a new socket is dialled');
    expect(new URL(socket().url).searchParams.get('token')).to.equal('refreshed');
    socket().welcome('me-again');
    expect(call.store.get().connection).to.equal('connected');
  });

  it('pings the relay while connected', async () => {
    const call = mesh({ pingIntervalMs: 30 });
    await joined(call);
    await until(() => socket().sent.some((message) => message.type === 'ping'), 'a ping is sent');
  });

  it('a refused screen picker leaves the call as it was and says so', async () => {
    const call = mesh({
      getDisplayMedia: () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError')),
    });
    await joined(call);

    await call.setScreenShare(true);

    expect(call.store.get().connection).to.equal('connected');
    expect(call.store.get().media.screen).to.equal(false);
    expect(call.store.get().error?.code).to.equal('screen-share-failed');
  });

  it('stopping the share from the browser’s own button ends it here too', async () => {
    const canvas = document.createElement('canvas');
    const call = mesh({ getDisplayMedia: async () => canvas.captureStream(5) });
    await joined(call);

    await call.setScreenShare(true);
    const screen = call.store.get().participants[0]?.screenTrack;
    expect(call.store.get().media.screen).to.equal(true);
    expect(lastMedia(socket()).media.screen).to.equal(true);

    // What Chromium does when the user clicks "Stop sharing".
    screen?.stop();
    screen?.dispatchEvent(new Event('ended'));

    expect(call.store.get().media.screen).to.equal(false);
    expect(call.store.get().participants[0]?.screenTrack).to.equal(null);
    expect(lastMedia(socket()).media.screen).to.equal(false);
  });
});
