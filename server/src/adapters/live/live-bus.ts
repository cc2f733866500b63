import { EventEmitter } from 'node:events';
import type { LiveEventType } from '@teacher-hub/protocol';

/**
 * A live event for some users' open pages (the SSE stream). `id` is set for events that a reconnecting
 * client can ask for again with `Last-Event-ID` (notifications); state events (`call`, `session`) carry no
 * id because a client refetches state when it reconnects.
 */
export interface LiveEvent {
  type: LiveEventType;
  userIds: string[];
  id?: string;
  data: unknown;
}

export type LiveListener = (event: LiveEvent) => void;

/** The port: publish to users, and listen for one user's events wherever they were published. */
export interface LiveBus {
  publish(event: LiveEvent): Promise<void>;
  subscribe(userId: string, listener: LiveListener): () => void;
  /** How many listeners are attached on this instance (for health and load tests). */
  listenerCount(): number;
  close(): Promise<void>;
}

/** Delivers to the listeners of this process. It is the whole bus for one instance, and the local half of the shared one. */
export class InProcessLiveBus implements LiveBus {
  readonly #emitter = new EventEmitter();
  #listeners = 0;

  constructor() {
    // One listener per open SSE stream: thousands are expected, not a leak.
    this.#emitter.setMaxListeners(0);
  }

  async publish(event: LiveEvent): Promise<void> {
    this.dispatch(event);
  }

  dispatch(event: LiveEvent): void {
    for (const userId of new Set(event.userIds)) this.#emitter.emit(userId, event);
  }

  subscribe(userId: string, listener: LiveListener): () => void {
    this.#emitter.on(userId, listener);
    this.#listeners += 1;
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      this.#listeners -= 1;
      this.#emitter.off(userId, listener);
    };
  }

  listenerCount(): number {
    return this.#listeners;
  }

  async close(): Promise<void> {
    this.#emitter.removeAllListeners();
    this.#listeners = 0;
  }
}

/** The slice of a pg client the shared bus needs (a dedicated connection: LISTEN holds it). */
export interface NotifyConnection {
  query(text: string, values?: unknown[]): Promise<unknown>;
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  end(): Promise<void>;
}

export const LIVE_CHANNEL = 'hub_live';
/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more. */
export const MAX_NOTIFY_BYTES = 7900;

/**
 * Crosses instances that share one PostgreSQL: every event goes out with NOTIFY and comes back to every
 * instance (this one included) through LISTEN, so it is dispatched exactly once per instance.
 */
export class PostgresLiveBus implements LiveBus {
  readonly #local = new InProcessLiveBus();
  readonly #listen: NotifyConnection;
  readonly #notify: (payload: string) => Promise<void>;
  readonly #onError: (error: Error) => void;

  private constructor(
    listen: NotifyConnection,
    notify: (payload: string) => Promise<void>,
    onError: (error: Error) => void,
  ) {
    this.#listen = listen;
    this.#notify = notify;
    this.#onError = onError;
  }

  /**
   * @param listen a connection of its own, kept for LISTEN
   * @param notify sends `pg_notify(LIVE_CHANNEL, payload)` through any pooled connection
   */
  static async start(
    listen: NotifyConnection,
    notify: (payload: string) => Promise<void>,
    onError: (error: Error) => void = () => {},
  ): Promise<PostgresLiveBus> {
    const bus = new PostgresLiveBus(listen, notify, onError);
    listen.on('notification', (message) => {
      if (message.channel !== LIVE_CHANNEL || !message.payload) return;
      try {
        bus.#local.dispatch(JSON.parse(message.payload) as LiveEvent);
      } catch (error) {
        bus.#onError(error as Error);
      }
    });
    listen.on('error', (error) => bus.#onError(error));
    await listen.query(`LISTEN ${LIVE_CHANNEL}`);
    return bus;
  }

  async publish(event: LiveEvent): Promise<void> {
    const payload = JSON.stringify(event);
    if (Buffer.byteLength(payload) > MAX_NOTIFY_BYTES) {
      // Too big for one NOTIFY: split by recipients, which is what makes events large.
      if (event.userIds.length > 1) {
        const half = Math.ceil(event.userIds.length / 2);
        await this.publish({ ...event, userIds: event.userIds.slice(0, half) });
        await this.publish({ ...event, userIds: event.userIds.slice(half) });
        return;
      }
      throw new Error(`a live event of ${Buffer.byteLength(payload)} bytes does not fit in one NOTIFY`);
    }
    await this.#notify(payload);
  }

  subscribe(userId: string, listener: LiveListener): () => void {
    return this.#local.subscribe(userId, listener);
  }

  listenerCount(): number {
    return this.#local.listenerCount();
  }

  async close(): Promise<void> {
    await this.#local.close();
    await this.#listen.end();
  }
}
