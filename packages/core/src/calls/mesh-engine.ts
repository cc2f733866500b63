import type {
  MESH_CLOSE as PROTOCOL_MESH_CLOSE,
  MeshClientMessage,
  MeshMedia,
  MeshPeer,
  MeshServerMessage,
  MeshSignal,
  VideoGrant,
} from '@teacher-hub/protocol';
import { reconnectDelay } from '../notifications/live-stream.ts';
import type { BackoffOptions } from '../notifications/live-stream.ts';
import { createStore } from '../store.ts';
import type { Store } from '../store.ts';
import { CallEngineError, initialEngineState } from './call-engine.ts';
import type { CallEngine, CallEngineState, CallSelf } from './call-engine.ts';
import { callError, deviceError, removedFromCallError, screenShareError } from './call-errors.ts';
import type { MediaDeviceKind } from './call-errors.ts';
import type { CallConnection, CallError, CallParticipant } from './call-types.ts';

/*
 * The local WebRTC mesh (dev mode's video): one RTCPeerConnection per other peer, signalled through the
 * hub's relay WebSocket (`MeshClientMessage` / `MeshServerMessage`).
 *
 * - Negotiation is "perfect negotiation" (either side may offer; the polite peer yields on a collision),
 *   so a screen share added later renegotiates from whichever side adds it. The newcomer (the one whose
 *   `welcome` lists peers) creates the connections and the first offers; the others answer.
 * - Every connection has a microphone slot and a camera slot (the first audio and video transceivers),
 *   sent with the local camera stream's id, and, once a screen was shared, a screen transceiver sent with
 *   no stream. So the receiving side tells the camera from the screen by the track's streams: a video
 *   track that arrives with a stream is the camera, one without is the screen. Turning a device on later
 *   is `replaceTrack` on its slot (no renegotiation).
 * - Mute and camera off disable the track (`enabled = false`) and announce the flags (`media`), which the
 *   others read from `peer-updated`.
 * - An ICE failure restarts ICE; a signalling socket that drops is reopened with backoff and the
 *   connections are rebuilt (the relay gives the new socket a new peer id). The reopened socket carries the
 *   freshest token (`updateGrant`, fed by `CallsService` before each token expires). The relay's close
 *   codes end the call: 4410 → `ended`, 4429 → `room-full`, 4401 → refused, 4409 → replaced by another tab.
 */

/** `navigator.mediaDevices.getUserMedia` / `getDisplayMedia`, injectable for tests and hosts. */
export type MediaRequest = (constraints: MediaStreamConstraints) => Promise<MediaStream>;
export type DisplayMediaRequest = (options: DisplayMediaStreamOptions) => Promise<MediaStream>;

export interface MeshEngineOptions {
  getUserMedia?: MediaRequest | undefined;
  getDisplayMedia?: DisplayMediaRequest | undefined;
  createWebSocket?: ((url: string) => WebSocket) | undefined;
  /** How often to ping the relay. Default 20 s. */
  pingIntervalMs?: number | undefined;
  /** Reconnect timing of the signalling socket. Default 1 s doubling to 15 s, with jitter. */
  reconnectBackoff?: BackoffOptions | undefined;
  /** Give up reconnecting the signalling socket after this many failed attempts. Default 8. */
  maxReconnectAttempts?: number | undefined;
}

interface RemotePeer {
  peerId: string;
  pc: RTCPeerConnection;
  polite: boolean;
  makingOffer: boolean;
  ignoreOffer: boolean;
  /** Signals are applied one after another (each awaits the connection). */
  queue: Promise<void>;
  micSender: RTCRtpSender | null;
  cameraSender: RTCRtpSender | null;
  screenSender: RTCRtpSender | null;
  audioTrack: MediaStreamTrack | null;
  videoTrack: MediaStreamTrack | null;
  screenTrack: MediaStreamTrack | null;
  iceState: RTCIceConnectionState;
  /** ICE restarts since the connection last worked. */
  iceRestarts: number;
}

const defaultGetUserMedia: MediaRequest = (constraints) => navigator.mediaDevices.getUserMedia(constraints);
const defaultGetDisplayMedia: DisplayMediaRequest = (options) =>
  navigator.mediaDevices.getDisplayMedia(options);

/**
 * The relay's close codes (the protocol's `MESH_CLOSE`), kept here because the protocol's main entry
 * brings zod, which the SDK does not load; the type keeps the two equal.
 */
const MESH_CLOSE: typeof PROTOCOL_MESH_CLOSE = {
  unauthorized: 4401,
  ended: 4410,
  full: 4429,
  replaced: 4409,
  badMessage: 4400,
  removed: 4403,
};

/** A connection whose ICE fails again after this many restarts is reported as a network error. */
const MAX_ICE_RESTARTS = 3;

/** Close codes after which the socket is not reopened. */
const FINAL_CLOSE_CODES = new Set<number>(Object.values(MESH_CLOSE));

/** The mesh engine: see the file's comment. One instance per joined call. */
export class MeshEngine implements CallEngine {
  readonly store: Store<CallEngineState> = createStore<CallEngineState>(initialEngineState());
  readonly #getUserMedia: MediaRequest;
  readonly #getDisplayMedia: DisplayMediaRequest;
  readonly #createWebSocket: (url: string) => WebSocket;
  readonly #pingIntervalMs: number;
  readonly #backoff: BackoffOptions;
  readonly #maxReconnectAttempts: number;

  #grant: VideoGrant | undefined;
  #self: CallSelf | undefined;
  #socket: WebSocket | undefined;
  #selfPeerId = '';
  /** Everyone else in the room, in joining order, as the relay describes them. */
  readonly #roster = new Map<string, MeshPeer>();
  /** The connection to each of them. */
  readonly #peers = new Map<string, RemotePeer>();
  /** The camera stream: the microphone and camera tracks are sent with its id. */
  readonly #cameraStream = new MediaStream();
  #micTrack: MediaStreamTrack | null = null;
  #cameraTrack: MediaStreamTrack | null = null;
  #screenTrack: MediaStreamTrack | null = null;
  #media: MeshMedia = { audio: false, video: false, screen: false };
  #socketState: 'connecting' | 'open' | 'reconnecting' | 'closed' = 'connecting';
  #final: CallConnection | undefined;
  #error: CallError | null = null;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #reconnectAttempts = 0;
  /** Settles a `join()` still waiting for the relay's welcome when the call is left meanwhile. */
  #settleJoin: (() => void) | undefined;

  constructor(options: MeshEngineOptions = {}) {
    this.#getUserMedia = options.getUserMedia ?? defaultGetUserMedia;
    this.#getDisplayMedia = options.getDisplayMedia ?? defaultGetDisplayMedia;
    this.#createWebSocket = options.createWebSocket ?? ((url) => new WebSocket(url));
    this.#pingIntervalMs = options.pingIntervalMs ?? 20_000;
    this.#backoff = options.reconnectBackoff ?? { initialMs: 1000, maxMs: 15_000 };
    this.#maxReconnectAttempts = options.maxReconnectAttempts ?? 8;
  }

  async join(grant: VideoGrant, self: CallSelf, media: { audio: boolean; video: boolean }): Promise<void> {
    if (this.#grant) throw new Error('This mesh engine has joined a room already; use a new one per call.');
    if (!grant.signalUrl) {
      throw new CallEngineError(callError('unavailable', 'The hub did not say where to connect the call.'));
    }
    this.#grant = grant;
    this.#self = self;
    this.#publish();
    await this.#startDevices(media.audio, media.video);
    if (this.#final) return;
    await this.#openSocket();
  }

  async leave(): Promise<void> {
    this.#finish('left');
  }

  /**
   * Takes a fresh token for this room: the next signalling socket (a reconnect after a drop) opens with it,
   * so a call that outlives its first token can still reconnect. The open socket is left as it is: the
   * relay checks the token only when a socket opens.
   */
  updateGrant(grant: VideoGrant): void {
    if (this.#final || !this.#grant || grant.roomId !== this.#grant.roomId || !grant.signalUrl) return;
    this.#grant = grant;
  }

  async setMicrophone(on: boolean): Promise<void> {
    if (this.#final) return;
    if (on && !this.#micTrack) {
      await this.#startDevices(true, false);
      return;
    }
    if (this.#micTrack) this.#micTrack.enabled = on;
    this.#setMedia({ audio: on && this.#micTrack !== null });
  }

  async setCamera(on: boolean): Promise<void> {
    if (this.#final) return;
    if (on && !this.#cameraTrack) {
      await this.#startDevices(false, true);
      return;
    }
    if (this.#cameraTrack) this.#cameraTrack.enabled = on;
    this.#setMedia({ video: on && this.#cameraTrack !== null });
  }

  async setScreenShare(on: boolean): Promise<void> {
    if (this.#final) return;
    if (!on) {
      this.#stopScreen();
      return;
    }
    if (this.#screenTrack) return;
    let stream: MediaStream;
    try {
      stream = await this.#getDisplayMedia({ video: true, audio: false });
    } catch (error) {
      this.#setError(screenShareError(error));
      return;
    }
    const [track] = stream.getVideoTracks();
    if (!track || this.#final) {
      for (const each of stream.getTracks()) each.stop();
      if (!track) this.#setError(screenShareError(new Error('No video track')));
      return;
    }
    this.#screenTrack = track;
    // The browser's own "Stop sharing" button ends the track.
    track.addEventListener('ended', () => {
      if (this.#screenTrack === track) this.#stopScreen();
    });
    // Announced before the track is sent, so the others know a screen is coming.
    this.#setMedia({ screen: true });
    for (const peer of this.#peers.values()) this.#sendScreen(peer);
  }

  // ── Local media ──────────────────────────────────────────────────────────────────────────────────────

  /** Gets the microphone and/or camera; a device that fails is left out and reported. */
  async #startDevices(audio: boolean, video: boolean): Promise<void> {
    if (!audio && !video) return;
    let stream: MediaStream | undefined;
    let failure: CallError | undefined;
    try {
      stream = await this.#getUserMedia({ audio, video });
    } catch (error) {
      if (audio && video) {
        // One of the two may work alone: keep it, report the other.
        const [mic, camera] = await Promise.allSettled([
          this.#getUserMedia({ audio: true }),
          this.#getUserMedia({ video: true }),
        ]);
        stream = new MediaStream();
        if (mic.status === 'fulfilled') for (const track of mic.value.getTracks()) stream.addTrack(track);
        if (camera.status === 'fulfilled')
          for (const track of camera.value.getTracks()) stream.addTrack(track);
        const kind: MediaDeviceKind =
          mic.status === 'rejected' && camera.status === 'rejected'
            ? 'microphone and camera'
            : mic.status === 'rejected'
              ? 'microphone'
              : 'camera';
        const reason =
          mic.status === 'rejected' ? mic.reason : camera.status === 'rejected' ? camera.reason : error;
        failure = deviceError(reason, kind);
      } else {
        failure = deviceError(error, audio ? 'microphone' : 'camera');
      }
    }
    if (this.#final) {
      for (const track of stream?.getTracks() ?? []) track.stop();
      return;
    }
    const mic = stream?.getAudioTracks()[0];
    const camera = stream?.getVideoTracks()[0];
    if (mic && !this.#micTrack) this.#useLocalTrack(mic, 'mic');
    else mic?.stop();
    if (camera && !this.#cameraTrack) this.#useLocalTrack(camera, 'camera');
    else camera?.stop();
    if (failure) this.#setError(failure);
    this.#setMedia({ audio: this.#micTrack?.enabled ?? false, video: this.#cameraTrack?.enabled ?? false });
  }

  #useLocalTrack(track: MediaStreamTrack, slot: 'mic' | 'camera'): void {
    if (slot === 'mic') this.#micTrack = track;
    else this.#cameraTrack = track;
    this.#cameraStream.addTrack(track);
    track.addEventListener('ended', () => {
      // Unplugged or taken by the system: the slot is free again and the others see it off.
      if (slot === 'mic' && this.#micTrack === track) this.#micTrack = null;
      else if (slot === 'camera' && this.#cameraTrack === track) this.#cameraTrack = null;
      else return;
      this.#cameraStream.removeTrack(track);
      for (const peer of this.#peers.values()) {
        void (slot === 'mic' ? peer.micSender : peer.cameraSender)?.replaceTrack(null).catch(() => undefined);
      }
      this.#setError(deviceError({ name: 'NotReadableError' }, slot === 'mic' ? 'microphone' : 'camera'));
      this.#setMedia(slot === 'mic' ? { audio: false } : { video: false });
    });
    for (const peer of this.#peers.values()) {
      const sender = slot === 'mic' ? peer.micSender : peer.cameraSender;
      void sender?.replaceTrack(track).catch(() => undefined);
    }
  }

  #stopScreen(): void {
    const track = this.#screenTrack;
    if (!track) return;
    this.#screenTrack = null;
    track.stop();
    // The transceiver stays (sending nothing) so a later share needs no renegotiation.
    for (const peer of this.#peers.values()) {
      void peer.screenSender?.replaceTrack(null).catch(() => undefined);
    }
    this.#setMedia({ screen: false });
  }

  #sendScreen(peer: RemotePeer): void {
    const track = this.#screenTrack;
    if (!track) return;
    if (peer.screenSender) {
      void peer.screenSender.replaceTrack(track).catch(() => undefined);
      return;
    }
    // No stream: that is how the other side tells it from the camera. Adding it renegotiates.
    peer.screenSender = peer.pc.addTransceiver(track, { direction: 'sendrecv', streams: [] }).sender;
  }

  #setMedia(change: Partial<MeshMedia>): void {
    this.#media = { ...this.#media, ...change };
    this.#send({ type: 'media', media: this.#media });
    this.#publish();
  }

  #setError(error: CallError): void {
    this.#error = error;
    this.#publish();
  }

  // ── Signalling ───────────────────────────────────────────────────────────────────────────────────────

  #openSocket(): Promise<void> {
    const grant = this.#grant as VideoGrant;
    const url = `${grant.signalUrl}?token=${encodeURIComponent(grant.authToken)}`;
    return new Promise<void>((resolve, reject) => {
      let welcomed = false;
      this.#settleJoin = resolve;
      let socket: WebSocket;
      try {
        socket = this.#createWebSocket(url);
      } catch (error) {
        // A signalling URL the browser will not open (malformed, or blocked by the page's policy).
        const failure = callError('unavailable', 'The call could not be reached. Try again.');
        this.#settleJoin = undefined;
        this.#finish('failed', failure);
        reject(new CallEngineError(failure, { cause: error }));
        return;
      }
      this.#socket = socket;
      socket.addEventListener('message', (event: MessageEvent) => {
        if (this.#socket !== socket) return;
        let message: MeshServerMessage;
        try {
          message = JSON.parse(String(event.data)) as MeshServerMessage;
        } catch {
          return;
        }
        if (message.type === 'welcome') {
          welcomed = true;
          this.#reconnectAttempts = 0;
          resolve();
        }
        this.#onMessage(message);
      });
      socket.addEventListener('close', (event: CloseEvent) => {
        if (this.#socket !== socket) return;
        this.#socket = undefined;
        // This handler settles the join itself (a refused join rejects).
        if (this.#settleJoin === resolve) this.#settleJoin = undefined;
        clearInterval(this.#pingTimer);
        if (this.#final) return;
        const final = this.#onClosedBy(event.code);
        if (final) {
          if (!welcomed) reject(new CallEngineError(final));
          return;
        }
        if (!welcomed && this.#socketState === 'connecting') {
          // The first connection never worked: nothing to keep alive.
          this.#finish('failed', callError('unavailable', 'The call could not be reached. Try again.'));
          reject(new CallEngineError(callError('unavailable', 'The call could not be reached. Try again.')));
          return;
        }
        if (!welcomed) resolve();
        this.#scheduleReconnect();
      });
    });
  }

  /** Handles the relay's close codes that end the call; returns the error for a refused join, if any. */
  #onClosedBy(code: number): CallError | null {
    if (!FINAL_CLOSE_CODES.has(code)) return null;
    switch (code) {
      case MESH_CLOSE.ended:
        this.#finish('ended');
        return callError('unavailable', 'The call has ended.');
      case MESH_CLOSE.full: {
        const error = callError('room-full', 'This call already has its 6 people; nobody else can join.');
        this.#finish('failed', error);
        return error;
      }
      case MESH_CLOSE.replaced:
        this.#finish(
          'left',
          callError('unknown', 'You joined this call from another tab or device, so it was closed here.'),
        );
        return null;
      case MESH_CLOSE.removed: {
        const error = removedFromCallError();
        this.#finish('failed', error);
        return error;
      }
      case MESH_CLOSE.unauthorized: {
        const error = callError('unavailable', 'The hub did not let this page into the call. Join it again.');
        this.#finish('failed', error);
        return error;
      }
      default: {
        const error = callError('unknown', 'The call connection broke because of an error. Join it again.');
        this.#finish('failed', error);
        return error;
      }
    }
  }

  #scheduleReconnect(): void {
    this.#socketState = 'reconnecting';
    // The relay gives the next socket a new peer id: the connections are rebuilt from its welcome.
    this.#closePeers();
    this.#publish();
    if (this.#reconnectAttempts >= this.#maxReconnectAttempts) {
      this.#finish(
        'failed',
        callError('network', 'The connection to the call was lost. Check the network and join again.'),
      );
      return;
    }
    const delay = reconnectDelay(this.#reconnectAttempts, this.#backoff);
    this.#reconnectAttempts += 1;
    this.#reconnectTimer = setTimeout(() => {
      if (this.#final) return;
      this.#openSocket().catch(() => undefined);
    }, delay);
  }

  #send(message: MeshClientMessage): void {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(message));
  }

  #onMessage(message: MeshServerMessage): void {
    switch (message.type) {
      case 'welcome':
        this.#selfPeerId = message.peerId;
        this.#socketState = 'open';
        clearInterval(this.#pingTimer);
        this.#pingTimer = setInterval(() => this.#send({ type: 'ping' }), this.#pingIntervalMs);
        this.#send({ type: 'media', media: this.#media });
        this.#roster.clear();
        // The newcomer offers to everyone already there.
        for (const peer of message.peers) {
          if (peer.peerId === this.#selfPeerId) continue;
          this.#roster.set(peer.peerId, peer);
          this.#createPeer(peer.peerId, true);
        }
        this.#publish();
        return;
      case 'peer-joined':
      case 'peer-updated':
        // A newcomer offers; the connection to it is made when its first offer arrives.
        if (message.peer.peerId === this.#selfPeerId) return;
        this.#roster.set(message.peer.peerId, message.peer);
        this.#publish();
        return;
      case 'peer-left':
        this.#removePeer(message.peerId);
        return;
      case 'signal':
        this.#onSignal(message.from, message.signal);
        return;
      case 'room-ended':
        this.#finish('ended');
        return;
      case 'pong':
        return;
    }
  }

  #onSignal(from: string, signal: MeshSignal): void {
    let peer = this.#peers.get(from);
    if (!peer) {
      // A newcomer's first offer makes the connection to it.
      if (!('description' in signal) || signal.description.type !== 'offer') return;
      peer = this.#createPeer(from, false);
    }
    const target = peer;
    target.queue = target.queue
      .then(() => this.#applySignal(target, signal))
      .catch((error: unknown) => {
        // A broken negotiation leaves this one connection; ICE restart or the next offer may mend it.
        console.warn('[teacher-hub] mesh negotiation failed', error);
      });
  }

  async #applySignal(peer: RemotePeer, signal: MeshSignal): Promise<void> {
    const { pc } = peer;
    if (pc.signalingState === 'closed') return;
    if ('description' in signal) {
      const description = signal.description;
      const collision = description.type === 'offer' && (peer.makingOffer || pc.signalingState !== 'stable');
      peer.ignoreOffer = !peer.polite && collision;
      if (peer.ignoreOffer) return;
      await pc.setRemoteDescription(description as RTCSessionDescriptionInit);
      if (description.type === 'offer') {
        this.#bindSlots(peer);
        await pc.setLocalDescription();
        this.#sendSignal(peer, { description: descriptionOf(pc.localDescription) });
      }
      return;
    }
    if (signal.candidate) {
      try {
        await pc.addIceCandidate(signal.candidate);
      } catch (error) {
        if (!peer.ignoreOffer) throw error;
      }
    }
  }

  #sendSignal(peer: RemotePeer, signal: MeshSignal): void {
    this.#send({ type: 'signal', to: peer.peerId, signal });
  }

  #createPeer(peerId: string, offerer: boolean): RemotePeer {
    const grant = this.#grant as VideoGrant;
    const pc = new RTCPeerConnection({ iceServers: grant.iceServers ?? [] });
    const peer: RemotePeer = {
      peerId,
      pc,
      polite: this.#selfPeerId > peerId,
      makingOffer: false,
      ignoreOffer: false,
      queue: Promise.resolve(),
      micSender: null,
      cameraSender: null,
      screenSender: null,
      audioTrack: null,
      videoTrack: null,
      screenTrack: null,
      iceState: 'new',
      iceRestarts: 0,
    };
    this.#peers.set(peerId, peer);

    pc.addEventListener('negotiationneeded', () => {
      peer.queue = peer.queue.then(async () => {
        try {
          peer.makingOffer = true;
          await pc.setLocalDescription();
          this.#sendSignal(peer, { description: descriptionOf(pc.localDescription) });
        } catch (error) {
          console.warn('[teacher-hub] mesh offer failed', error);
        } finally {
          peer.makingOffer = false;
        }
      });
    });
    pc.addEventListener('icecandidate', ({ candidate }) => {
      if (!candidate) return;
      this.#sendSignal(peer, {
        candidate: {
          candidate: candidate.candidate,
          sdpMid: candidate.sdpMid,
          sdpMLineIndex: candidate.sdpMLineIndex,
        },
      });
    });
    pc.addEventListener('iceconnectionstatechange', () => {
      peer.iceState = pc.iceConnectionState;
      if (peer.iceState === 'connected' || peer.iceState === 'completed') peer.iceRestarts = 0;
      if (peer.iceState === 'failed') {
        if (peer.iceRestarts < MAX_ICE_RESTARTS) {
          peer.iceRestarts += 1;
          pc.restartIce();
        } else {
          const name = this.#roster.get(peerId)?.name ?? 'someone';
          this.#error = callError(
            'network',
            `The connection to ${name} failed. Check the network (a firewall may block calls), or leave and join again.`,
          );
        }
      }
      this.#publish();
    });
    pc.addEventListener('track', (event: RTCTrackEvent) => {
      const { track } = event;
      if (track.kind === 'audio') peer.audioTrack = track;
      else if (event.streams.length === 0) peer.screenTrack = track;
      else peer.videoTrack = track;
      track.addEventListener('ended', () => {
        if (peer.audioTrack === track) peer.audioTrack = null;
        if (peer.videoTrack === track) peer.videoTrack = null;
        if (peer.screenTrack === track) peer.screenTrack = null;
        this.#publish();
      });
      this.#publish();
    });

    if (offerer) {
      // Fixed slots, even for a device that is off or missing, so turning it on later needs no new offer.
      peer.micSender = pc.addTransceiver(this.#micTrack ?? 'audio', {
        direction: 'sendrecv',
        streams: [this.#cameraStream],
      }).sender;
      peer.cameraSender = pc.addTransceiver(this.#cameraTrack ?? 'video', {
        direction: 'sendrecv',
        streams: [this.#cameraStream],
      }).sender;
      this.#sendScreen(peer);
    }
    return peer;
  }

  /** On the answering side: the offer's first audio and video transceivers become the mic and camera slots. */
  #bindSlots(peer: RemotePeer): void {
    if (peer.micSender && peer.cameraSender) return;
    const transceivers = peer.pc.getTransceivers();
    const first = (kind: 'audio' | 'video') =>
      transceivers.find(
        (transceiver) =>
          transceiver.receiver.track.kind === kind && transceiver.currentDirection !== 'stopped',
      );
    const mic = first('audio');
    const camera = first('video');
    for (const [transceiver, track, slot] of [
      [mic, this.#micTrack, 'mic'],
      [camera, this.#cameraTrack, 'camera'],
    ] as const) {
      if (!transceiver) continue;
      transceiver.direction = 'sendrecv';
      transceiver.sender.setStreams(this.#cameraStream);
      if (track) void transceiver.sender.replaceTrack(track).catch(() => undefined);
      if (slot === 'mic') peer.micSender = transceiver.sender;
      else peer.cameraSender = transceiver.sender;
    }
    // Sharing already when this peer came: it gets the screen too (a renegotiation from this side).
    if (this.#screenTrack && !peer.screenSender) queueMicrotask(() => this.#sendScreen(peer));
  }

  #removePeer(peerId: string): void {
    this.#roster.delete(peerId);
    const peer = this.#peers.get(peerId);
    this.#peers.delete(peerId);
    peer?.pc.close();
    this.#publish();
  }

  #closePeers(): void {
    for (const peer of this.#peers.values()) peer.pc.close();
    this.#peers.clear();
    this.#roster.clear();
  }

  // ── Ending ───────────────────────────────────────────────────────────────────────────────────────────

  #finish(connection: CallConnection, error?: CallError): void {
    if (this.#final) return;
    this.#final = connection;
    if (error) this.#error = error;
    clearInterval(this.#pingTimer);
    clearTimeout(this.#reconnectTimer);
    for (const track of [this.#micTrack, this.#cameraTrack, this.#screenTrack]) track?.stop();
    this.#micTrack = null;
    this.#cameraTrack = null;
    this.#screenTrack = null;
    this.#media = { audio: false, video: false, screen: false };
    this.#closePeers();
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket && socket.readyState <= WebSocket.OPEN) socket.close(1000, connection);
    this.#socketState = 'closed';
    this.#publish();
    this.#settleJoin?.();
  }

  // ── State ────────────────────────────────────────────────────────────────────────────────────────────

  #connection(): CallConnection {
    if (this.#final) return this.#final;
    if (this.#socketState === 'connecting') return 'joining';
    if (this.#socketState === 'reconnecting') return 'reconnecting';
    const troubled = [...this.#peers.values()].some(
      (peer) => peer.iceState === 'disconnected' || peer.iceState === 'failed',
    );
    return troubled ? 'reconnecting' : 'connected';
  }

  #publish(): void {
    const self = this.#self;
    const participants: CallParticipant[] = [];
    if (self && !this.#final) {
      participants.push({
        id: this.#selfPeerId || 'local',
        userId: self.userId,
        name: self.name,
        role: self.role,
        isLocal: true,
        audio: this.#media.audio,
        video: this.#media.video,
        screen: this.#media.screen,
        audioTrack: this.#micTrack,
        videoTrack: this.#cameraTrack,
        screenTrack: this.#screenTrack,
      });
    }
    for (const info of this.#roster.values()) {
      // Listed as soon as the relay says who is there; the tracks follow once the connection is up.
      const peer = this.#peers.get(info.peerId);
      participants.push({
        id: info.peerId,
        userId: info.userId,
        name: info.name,
        role: info.role,
        isLocal: false,
        audio: info.media.audio,
        video: info.media.video,
        screen: info.media.screen,
        audioTrack: peer?.audioTrack ?? null,
        videoTrack: peer?.videoTrack ?? null,
        screenTrack: info.media.screen ? (peer?.screenTrack ?? null) : null,
      });
    }
    this.store.set({
      connection: this.#connection(),
      participants,
      media: { ...this.#media },
      error: this.#error,
    });
  }
}

function descriptionOf(
  description: RTCSessionDescription | null,
): Extract<MeshSignal, { description: unknown }>['description'] {
  if (!description) throw new Error('No local description to send.');
  return { type: description.type, sdp: description.sdp };
}
