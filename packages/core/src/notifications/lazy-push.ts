import { createStore } from '../store.ts';
import type { Store } from '../store.ts';
import { initialPushState } from './push-types.ts';
import type { PushOptions, PushState, PushStoreState } from './push-types.ts';
import type { WebPushService } from './web-push.ts';

/**
 * `client.notifications.push`: web push for this browser, whose code (`WebPushService`, about 2 KB gzip)
 * loads on first use. A page with only a bell never turns push on or off, and the push state shows only
 * in the open panel, so the service loads when something first calls `refresh()`, `enable()`, `disable()`
 * or `load()`. `store` exists from the start (`checked: false` until the first refresh), so elements can
 * subscribe to it before the code is there.
 */
export class LazyWebPush {
  readonly store: Store<PushStoreState> = createStore<PushStoreState>(initialPushState());
  readonly #create: (store: Store<PushStoreState>) => Promise<WebPushService>;
  #loading: Promise<WebPushService> | undefined;
  #service: WebPushService | undefined;

  /** `create` imports `web-push.ts` and makes the service on the given store. */
  constructor(create: (store: Store<PushStoreState>) => Promise<WebPushService>) {
    this.#create = create;
  }

  get state(): PushState {
    return this.store.get().state;
  }

  /** The service, loaded once (a failed download is tried again by the next call). */
  load(): Promise<WebPushService> {
    this.#loading ??= this.#create(this.store).then(
      (service) => (this.#service = service),
      (error: unknown) => {
        this.#loading = undefined;
        throw error;
      },
    );
    return this.#loading;
  }

  /** See `WebPushService.refresh`. */
  async refresh(options?: PushOptions): Promise<PushState> {
    return (await this.load()).refresh(options);
  }

  /**
   * See `WebPushService.enable`. Once loaded it runs in the same task as the click that called it, so the
   * browser's permission prompt still counts the click as the user's gesture (the panel loads the service
   * when it opens, before any click on its button).
   */
  enable(options?: PushOptions): Promise<PushState> {
    return this.#service
      ? this.#service.enable(options)
      : this.load().then((service) => service.enable(options));
  }

  /** See `WebPushService.disable`. */
  async disable(options?: PushOptions): Promise<PushState> {
    return (await this.load()).disable(options);
  }
}
