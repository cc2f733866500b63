import type { Call } from '@teacher-hub/protocol';
import type { CallsService, SessionRoomAccess } from './calls/calls-service.ts';
import type { CallsApi, CallsState } from './calls/call-types.ts';
import { createHold } from './hold.ts';
import { createStore } from './store.ts';
import type { Store } from './store.ts';

/**
 * `client.calls`: the calls service (`CallsService`, about 2.5 KB gzip with its errors) loads on first
 * use, so a page that never rings, starts or joins a call (a bell and a session list) does not download
 * it. `store` exists from the start (no calls, nothing active, `loaded: false`) and is the service's own
 * once it loads, so elements subscribe before the code is there. `connect()` holds at once and loads the
 * service, which then holds the live stream; every intent waits for the service.
 */
export class LazyCalls implements CallsApi {
  readonly store: Store<CallsState> = createStore<CallsState>({
    calls: {},
    incoming: [],
    active: null,
    loaded: false,
  });
  readonly #create: (store: Store<CallsState>) => Promise<CallsService>;
  #loading: Promise<CallsService> | undefined;
  #service: CallsService | undefined;
  readonly #hold = createHold(() => {
    let release: (() => void) | undefined;
    let released = false;
    this.load().then(
      (service) => {
        if (!released) release = service.connect();
      },
      () => undefined, // the chunk did not load: nothing to hold; the next connect() tries again
    );
    return () => {
      released = true;
      release?.();
    };
  });

  /** `create` imports `calls-service.ts` and makes the service on the given store. */
  constructor(create: (store: Store<CallsState>) => Promise<CallsService>) {
    this.#create = create;
  }

  get state(): CallsState {
    return this.store.get();
  }

  /** The service, loaded once (a failed download is tried again by the next call). */
  load(): Promise<CallsService> {
    this.#loading ??= this.#create(this.store).then(
      (service) => (this.#service = service),
      (error: unknown) => {
        this.#loading = undefined;
        throw error;
      },
    );
    return this.#loading;
  }

  connect(): () => void {
    return this.#hold();
  }

  async start(chatId: string): Promise<Call> {
    return (await this.load()).start(chatId);
  }

  async startWith(memberIds: string[], name?: string): Promise<Call> {
    return (await this.load()).startWith(memberIds, name);
  }

  async join(callId: string, media?: { audio?: boolean; video?: boolean }): Promise<void> {
    return (await this.load()).join(callId, media);
  }

  /** See `CallsService.joinSession` (what `client.sessions.join()` does). */
  async joinSession(
    sessionId: string,
    access: SessionRoomAccess,
    media?: { audio?: boolean; video?: boolean },
  ): Promise<void> {
    return (await this.load()).joinSession(sessionId, access, media);
  }

  /** See `CallsService.sessionEnded`. Before the service loaded no room was joined: nothing to leave. */
  sessionEnded(session: Parameters<CallsService['sessionEnded']>[0]): void {
    this.#service?.sessionEnded(session);
  }

  async decline(callId: string): Promise<void> {
    return (await this.load()).decline(callId);
  }

  async leave(): Promise<void> {
    return (await this.load()).leave();
  }

  async end(callId?: string): Promise<void> {
    return (await this.load()).end(callId);
  }

  async setMicrophone(on: boolean): Promise<void> {
    return (await this.load()).setMicrophone(on);
  }

  async setCamera(on: boolean): Promise<void> {
    return (await this.load()).setCamera(on);
  }

  async setScreenShare(on: boolean): Promise<void> {
    return (await this.load()).setScreenShare(on);
  }
}
