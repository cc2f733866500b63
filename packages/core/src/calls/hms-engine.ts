import {
  HMSNotificationTypes,
  HMSReactiveStore,
  selectIsLocalAudioEnabled,
  selectIsLocalScreenShared,
  selectIsLocalVideoEnabled,
  selectPeers,
  selectRoomState,
  selectTracksMap,
} from '@100mslive/hms-video-store';
import type {
  HMSActions,
  HMSExceptionNotification,
  HMSLeaveRoomRequestNotification,
  HMSStoreWrapper,
} from '@100mslive/hms-video-store';
import type { VideoGrant } from '@teacher-hub/protocol';
import { createStore } from '../store.ts';
import type { Store } from '../store.ts';
import { CallEngineError, initialEngineState } from './call-engine.ts';
import type { CallEngine, CallEngineState, CallSelf } from './call-engine.ts';
import { callError, removedFromCallError } from './call-errors.ts';
import type { CallConnection, CallError } from './call-types.ts';
import { connectionFromRoomState, hmsError, participantsFromSnapshot } from './hms-mapping.ts';
import type { HmsPeerMetadata, HmsSnapshot } from './hms-mapping.ts';

/*
 * The 100ms engine (production video). This module imports `@100mslive/hms-video-store`, so it is only
 * ever loaded through `import('./hms-engine.ts')` when a call with engine `hms` starts: a chunk of its
 * own, never in the SDK's first load, never in Node.
 *
 * Limitations: remote audio is played by 100ms itself (its audio sink), so remote participants carry no
 * `audioTrack` (see `participantsFromSnapshot`); a screen share's audio is not published.
 */

/** The 100ms engine: one `HMSReactiveStore` per joined call. */
export class HmsEngine implements CallEngine {
  readonly store: Store<CallEngineState> = createStore<CallEngineState>(initialEngineState());
  readonly #hms = new HMSReactiveStore();
  readonly #actions: HMSActions = this.#hms.getActions();
  readonly #hmsStore: HMSStoreWrapper = this.#hms.getStore();
  readonly #unsubscribe: (() => void)[] = [];
  #joined = false;
  #final: CallConnection | undefined;
  #error: CallError | null = null;

  async join(grant: VideoGrant, self: CallSelf, media: { audio: boolean; video: boolean }): Promise<void> {
    this.#unsubscribe.push(this.#hmsStore.subscribe(() => this.#publish(), selectPeers));
    this.#unsubscribe.push(this.#hmsStore.subscribe(() => this.#publish(), selectTracksMap));
    this.#unsubscribe.push(
      this.#hmsStore.subscribe((roomState) => {
        if (roomState === 'Connected') this.#joined = true;
        this.#publish();
      }, selectRoomState),
    );
    this.#unsubscribe.push(
      this.#hms
        .getNotifications()
        .onNotification(
          (notification) => this.#onNotification(notification),
          [
            HMSNotificationTypes.ROOM_ENDED,
            HMSNotificationTypes.REMOVED_FROM_ROOM,
            HMSNotificationTypes.ERROR,
          ],
        ),
    );
    const metadata: HmsPeerMetadata = { userId: self.userId, role: self.role };
    try {
      await this.#actions.join({
        authToken: grant.authToken,
        userName: self.name,
        metaData: JSON.stringify(metadata),
        settings: { isAudioMuted: !media.audio, isVideoMuted: !media.video },
        rememberDeviceSelection: true,
      });
    } catch (error) {
      const mapped = isHmsException(error)
        ? hmsError(error)
        : callError('unavailable', 'The video service could not be reached. Try again.');
      this.#finish('failed', mapped);
      throw new CallEngineError(mapped, { cause: error });
    }
  }

  async leave(): Promise<void> {
    if (this.#final) return;
    this.#final = 'left';
    try {
      await this.#actions.leave();
    } finally {
      this.#finish('left');
    }
  }

  async setMicrophone(on: boolean): Promise<void> {
    await this.#run(() => this.#actions.setLocalAudioEnabled(on));
  }

  async setCamera(on: boolean): Promise<void> {
    await this.#run(() => this.#actions.setLocalVideoEnabled(on));
  }

  async setScreenShare(on: boolean): Promise<void> {
    await this.#run(
      () => this.#actions.setScreenShareEnabled(on, { audioOnly: false, videoOnly: true }),
      true,
    );
  }

  async #run(action: () => Promise<void>, isScreen = false): Promise<void> {
    if (this.#final) return;
    try {
      await action();
    } catch (error) {
      this.#error = isHmsException(error)
        ? hmsError(error, isScreen)
        : callError(isScreen ? 'screen-share-failed' : 'unknown', 'That did not work. Try again.');
      this.#publish();
    }
  }

  #onNotification(notification: HMSExceptionNotification | HMSLeaveRoomRequestNotification): void {
    if (notification.type !== HMSNotificationTypes.ERROR) {
      if (notification.data.roomEnded) {
        // The teacher ended the call (100ms `end-room`).
        this.#finish('ended');
      } else {
        // The hub removed this peer (`remove-peers`): she is no longer entitled to the call.
        this.#finish('failed', removedFromCallError());
      }
      return;
    }
    const exception = notification.data;
    this.#error = hmsError(exception);
    if (exception.isTerminal) this.#finish('failed', this.#error);
    else this.#publish();
  }

  #finish(connection: CallConnection, error?: CallError): void {
    this.#final = connection;
    if (error) this.#error = error;
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    this.store.set({
      connection,
      participants: [],
      media: { audio: false, video: false, screen: false },
      error: this.#error,
    });
  }

  #publish(): void {
    if (this.#final) return;
    const state = this.#hmsStore.getState();
    const snapshot: HmsSnapshot = {
      roomState: selectRoomState(state),
      peers: selectPeers(state),
      tracks: selectTracksMap(state),
      localAudio: selectIsLocalAudioEnabled(state),
      localVideo: selectIsLocalVideoEnabled(state),
      localScreen: selectIsLocalScreenShared(state),
    };
    this.store.set({
      connection: connectionFromRoomState(snapshot.roomState, this.#joined),
      participants: participantsFromSnapshot(snapshot, (id) => this.#actions.getNativeTrackById(id)),
      media: { audio: snapshot.localAudio, video: snapshot.localVideo, screen: snapshot.localScreen },
      error: this.#error,
    });
  }
}

function isHmsException(error: unknown): error is { code: number; message: string; description: string } {
  return (
    typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'number'
  );
}
