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

/**
 * Instance-wide signals, for every instance rather than for users: `directory.changed` (a directory write
 * committed somewhere: forget what you cached about users).
 */
export const LIVE_SIGNALS = ['directory.changed'] as const;
export type LiveSignal = (typeof LIVE_SIGNALS)[number];

/** The port: publish to users, and listen for one user's events wherever they were published. */
export interface LiveBus {
  publish(event: LiveEvent): Promise<void>;
  subscribe(userId: string, listener: LiveListener): () => void;
  /** Sends a signal to every instance, this one included. */
  signal(signal: LiveSignal): Promise<void>;
  onSignal(listener: (signal: LiveSignal) => void): () => void;
  /**
   * Called after this instance may have missed events and signals (its connection to the other instances
   * was lost and is back): whoever keeps state from them reloads it, e.g. SSE clients resynchronise.
   */
  onResync(listener: () => void): () => void;
  /** How many listeners are attached on this instance (for health and load tests). */
  listenerCount(): number;
  close(): Promise<void>;
}

/** A set of callbacks, each called in turn; one that throws does not keep the others from running. */
class Callbacks<T extends unknown[]> {
  readonly #callbacks = new Set<(...args: T) => void>();

  add(callback: (...args: T) => void): () => void {
    const entry = (...args: T) => callback(...args);
    this.#callbacks.add(entry);
    return () => void this.#callbacks.delete(entry);
  }

  call(onError: (error: Error) => void, ...args: T): void {
    for (const callback of [...this.#callbacks]) {
      try {
        callback(...args);
      } catch (error) {
        onError(error as Error);
      }
    }
  }

  clear(): void {
    this.#callbacks.clear();
  }
}

/** Delivers to the listeners of this process. It is the whole bus for one instance, and the local half of the shared one. */
export class InProcessLiveBus implements LiveBus {
  readonly #emitter = new EventEmitter();
  readonly #signals = new Callbacks<[LiveSignal]>();
  readonly #resyncs = new Callbacks<[]>();
  #listeners = 0;

  constructor(private readonly onError: (error: Error) => void = () => {}) {
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

  async signal(signal: LiveSignal): Promise<void> {
    this.dispatchSignal(signal);
  }

  dispatchSignal(signal: LiveSignal): void {
    this.#signals.call(this.onError, signal);
  }

  onSignal(listener: (signal: LiveSignal) => void): () => void {
    return this.#signals.add(listener);
  }

  /** Tells this instance's resync listeners that events may have been missed. */
  resync(): void {
    this.#resyncs.call(this.onError);
  }

  onResync(listener: () => void): () => void {
    return this.#resyncs.add(listener);
  }

  listenerCount(): number {
    return this.#listeners;
  }

  async close(): Promise<void> {
    this.#emitter.removeAllListeners();
    this.#signals.clear();
    this.#resyncs.clear();
    this.#listeners = 0;
  }
}

/** The slice of a pg client the shared bus needs (a dedicated connection: LISTEN holds it). */
export interface NotifyConnection {
  query(text: string, values?: unknown[]): Promise<unknown>;
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  end(): Promise<void>;
}

export const LIVE_CHANNEL = 'hub_live';
/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more. */
export const MAX_NOTIFY_BYTES = 7900;
/** At most this many payload bytes go out in one statement; a longer backlog goes in several, in order. */
export const MAX_BATCH_BYTES = 1_000_000;

/**
 * Consecutive payloads packed into JSON arrays of at most `MAX_NOTIFY_BYTES`, in order, so a fan-out of a
 * thousand small events is a few dozen NOTIFYs instead of a thousand (PostgreSQL's cost, and the listening
 * instances', is per notification far more than per byte). A payload that shares with none goes as it is.
 * Payloads that are unique stay unique packed (an array starts with `[`, an event with `{`).
 */
export function packNotifyPayloads(payloads: readonly string[]): string[] {
  const packed: string[] = [];
  let group: string[] = [];
  let bytes = 2;
  const flush = () => {
    if (group.length === 1) packed.push(group[0] as string);
    else if (group.length > 1) packed.push(`[${group.join(',')}]`);
    group = [];
    bytes = 2;
  };
  for (const payload of payloads) {
    const size = Buffer.byteLength(payload) + 1;
    if (group.length > 0 && bytes + size > MAX_NOTIFY_BYTES) flush();
    group.push(payload);
    bytes += size;
  }
  flush();
  return packed;
}

/**
 * Sends `payloads` on `channel` with one statement (one transaction), in the order given. PostgreSQL
 * delivers a transaction's notifications in the order they were sent, but folds identical payloads on one
 * channel in one transaction into one: the bus never puts the same payload twice in one batch.
 */
export function pgNotifyBatch(
  db: { query(text: string, values?: unknown[]): Promise<unknown> },
  channel: string,
): (payloads: string[]) => Promise<void> {
  return async (payloads) => {
    if (payloads.length === 0) return;
    await db.query(
      'select pg_notify($1, t.payload) from unnest($2::text[]) with ordinality as t(payload, n) order by t.n',
      [channel, payloads],
    );
  };
}

/**
 * Where events too big for one NOTIFY wait for the other instances (a table every instance can read): the
 * NOTIFY then carries only the row's id.
 */
export interface LiveSpill {
  /** Stores an event's JSON and returns its id. */
  save(payload: string): Promise<string>;
  /** The stored JSON, or undefined when it is gone (pruned, or written by another schema's hub). */
  load(id: string): Promise<string | undefined>;
}

/**
 * The NOTIFY channel of the hub whose tables live in `schema`. Channels are database-wide while tables are
 * per schema, so hubs (or test runs) that share a database in separate schemas must not hear each other.
 */
export function liveChannelFor(schema: string): string {
  return `${LIVE_CHANNEL}_${schema}`.slice(0, 63);
}

export interface PostgresLiveBusOptions {
  /** Errors that do not stop the bus (a lost connection, a bad payload); it carries on by itself. */
  onError?: (error: Error) => void;
  /** Told each time the LISTEN connection is back after a loss, with how long it was away. */
  onReconnect?: (info: { downMs: number; attempts: number }) => void;
  /** Waits between reconnect attempts: doubling from `initialMs` up to `maxMs`, with jitter. */
  backoff?: { initialMs?: number; maxMs?: number };
  /**
   * How often the LISTEN connection is checked with a query (a connection that died without a word, as
   * behind a NAT or a failed-over proxy, is only noticed when used). Default 30 s; 0 turns it off.
   */
  probeIntervalMs?: number;
  /** The NOTIFY channel (default `hub_live`); see `liveChannelFor`. `notify` must send on the same one. */
  channel?: string;
  /**
   * Carries events too big for one NOTIFY whole (a call's state lists every member). Without it, such an
   * event is split by recipients, and one that is too big for a single recipient is refused.
   */
  spill?: LiveSpill;
}

/** What one payload on the channel says. */
type BusMessage = LiveEvent | { signal: LiveSignal } | { spill: string };

/** A payload waiting in the outbox, and its publisher's promise. */
interface Outgoing {
  payload: Promise<string>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * The payloads of an event split by recipients until each fits in one NOTIFY, in recipient order; a
 * single recipient's event that still does not fit is an Error in its place.
 */
function splitByRecipients(event: LiveEvent, payload = JSON.stringify(event)): Array<string | Error> {
  const bytes = Buffer.byteLength(payload);
  if (bytes <= MAX_NOTIFY_BYTES) return [payload];
  if (event.userIds.length <= 1) {
    return [new Error(`a live event of ${bytes} bytes does not fit in one NOTIFY`)];
  }
  const half = Math.ceil(event.userIds.length / 2);
  return [
    ...splitByRecipients({ ...event, userIds: event.userIds.slice(0, half) }),
    ...splitByRecipients({ ...event, userIds: event.userIds.slice(half) }),
  ];
}

/**
 * Crosses instances that share one PostgreSQL: every event goes out with NOTIFY and comes back to every
 * instance (this one included) through LISTEN, so it is dispatched exactly once per instance.
 *
 * When PostgreSQL drops the LISTEN connection (a restart, a failover, `pg_terminate_backend`, a probe
 * that gets no answer), the bus reconnects with backoff and then calls its `onResync` listeners: NOTIFY
 * is not stored, so what was sent while it was away is gone, and its subscribers must reload instead.
 */
export class PostgresLiveBus implements LiveBus {
  readonly #local: InProcessLiveBus;
  readonly #connect: () => Promise<NotifyConnection>;
  readonly #notify: (payloads: string[]) => Promise<void>;
  readonly #options: PostgresLiveBusOptions;
  /**
   * Payloads waiting to go out, in the order they were published (a spilled event's is known once its
   * row is saved). They leave together, a batch at a time, so a fan-out of a thousand events costs one
   * statement instead of a thousand, and a later batch never overtakes an earlier one.
   */
  #outbox: Outgoing[] = [];
  #sending: Promise<void> | undefined;
  #listen: NotifyConnection | undefined;
  #closed = false;
  #reconnecting: Promise<void> | undefined;
  #probe: ReturnType<typeof setInterval> | undefined;
  /** Messages are handled one after another, so a spilled event (read back first) keeps its place. */
  #inbox: Promise<void> = Promise.resolve();

  private constructor(
    connect: () => Promise<NotifyConnection>,
    notify: (payloads: string[]) => Promise<void>,
    options: PostgresLiveBusOptions,
  ) {
    this.#connect = connect;
    this.#notify = notify;
    this.#options = options;
    this.#local = new InProcessLiveBus((error) => this.#onError(error));
  }

  /**
   * @param connect opens a connection of its own, kept for LISTEN (called again after each loss)
   * @param notify sends `pg_notify(channel, payload)` for each payload, in order and in one statement,
   *   through any pooled connection (see `pgNotifyBatch`)
   */
  static async start(
    connect: () => Promise<NotifyConnection>,
    notify: (payloads: string[]) => Promise<void>,
    options: PostgresLiveBusOptions = {},
  ): Promise<PostgresLiveBus> {
    const bus = new PostgresLiveBus(connect, notify, options);
    await bus.#open();
    const probeMs = options.probeIntervalMs ?? 30_000;
    if (probeMs > 0) {
      bus.#probe = setInterval(() => void bus.#checkConnection(probeMs), probeMs);
      bus.#probe.unref();
    }
    return bus;
  }

  /** Whether the LISTEN connection is up (false while reconnecting). */
  get connected(): boolean {
    return this.#listen !== undefined;
  }

  async #open(): Promise<void> {
    const connection = await this.#connect();
    connection.on('notification', (message) => {
      const payload = message.payload;
      if (message.channel !== this.#channel || !payload) return;
      this.#inbox = this.#inbox
        .then(() => this.#receive(payload))
        .catch((error: unknown) => {
          this.#onError(error as Error);
        });
    });
    connection.on('error', (error) => this.#lost(connection, error));
    connection.on('end', () => this.#lost(connection, new Error('the LISTEN connection ended')));
    try {
      await connection.query(`LISTEN "${this.#channel.replaceAll('"', '""')}"`);
    } catch (error) {
      await connection.end().catch(() => undefined);
      throw error;
    }
    if (this.#closed) {
      await connection.end().catch(() => undefined);
      return;
    }
    this.#listen = connection;
  }

  get #channel(): string {
    return this.#options.channel ?? LIVE_CHANNEL;
  }

  /** A NOTIFY's payload: one message, or several packed in an array (`packNotifyPayloads`), in order. */
  async #receive(payload: string): Promise<void> {
    const parsed = JSON.parse(payload) as BusMessage | BusMessage[];
    for (const message of Array.isArray(parsed) ? parsed : [parsed]) await this.#handle(message);
  }

  async #handle(message: BusMessage): Promise<void> {
    let parsed = message;
    if ('spill' in parsed) {
      const stored = await this.#options.spill?.load(parsed.spill);
      if (stored === undefined) return;
      parsed = JSON.parse(stored) as LiveEvent;
    }
    if ('signal' in parsed) this.#local.dispatchSignal(parsed.signal);
    else if ('type' in parsed) this.#local.dispatch(parsed);
  }

  async #checkConnection(timeoutMs: number): Promise<void> {
    const connection = this.#listen;
    if (!connection) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        connection.query('select 1'),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer on the LISTEN connection in ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
    } catch (error) {
      this.#lost(connection, error as Error);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The LISTEN connection is gone (each loss is handled once): reconnect in the background. */
  #lost(connection: NotifyConnection, error: Error): void {
    if (this.#closed || connection !== this.#listen) return;
    this.#listen = undefined;
    this.#onError(error);
    void connection.end().catch(() => undefined);
    this.#reconnecting ??= this.#reconnect().finally(() => {
      this.#reconnecting = undefined;
    });
  }

  async #reconnect(): Promise<void> {
    const lostAt = Date.now();
    const initialMs = this.#options.backoff?.initialMs ?? 100;
    const maxMs = this.#options.backoff?.maxMs ?? 10_000;
    for (let attempt = 1; !this.#closed; attempt += 1) {
      const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt - 1, 20));
      await new Promise((resolve) => setTimeout(resolve, ceiling / 2 + (Math.random() * ceiling) / 2));
      if (this.#closed) return;
      try {
        await this.#open();
      } catch (error) {
        this.#onError(error as Error);
        continue;
      }
      if (this.#closed) return;
      this.#options.onReconnect?.({ downMs: Date.now() - lostAt, attempts: attempt });
      this.#local.resync();
      return;
    }
  }

  #onError(error: Error): void {
    this.#options.onError?.(error);
  }

  async publish(event: LiveEvent): Promise<void> {
    const payload = JSON.stringify(event);
    const spill = this.#options.spill;
    if (Buffer.byteLength(payload) > MAX_NOTIFY_BYTES && spill) {
      // Too big for one NOTIFY: the others read it from the spill table, in its place among the rest.
      await this.#send([spill.save(payload).then((id) => JSON.stringify({ spill: id }))]);
      return;
    }
    // Too big for one NOTIFY and nowhere to spill it: split by recipients. The parts that fit go out even
    // when one recipient's part alone is too big, which is then refused.
    const parts = splitByRecipients(event, payload);
    await this.#send(parts.filter((part) => typeof part === 'string'));
    const refused = parts.find((part) => part instanceof Error);
    if (refused) throw refused;
  }

  /** Queues payloads to go out in order, in the next batch; settles once they are sent (or failed). */
  #send(payloads: Array<string | Promise<string>>): Promise<void> {
    const sent = payloads.map(
      (payload) =>
        new Promise<void>((resolve, reject) => {
          const ready = Promise.resolve(payload);
          // A failed spill is its publisher's error (below); the batch goes on without it.
          ready.catch(() => undefined);
          this.#outbox.push({ payload: ready, resolve, reject });
        }),
    );
    this.#schedule();
    return Promise.all(sent).then(() => undefined);
  }

  /** Starts sending the outbox unless it is already being sent. */
  #schedule(): void {
    if (this.#sending) return;
    // Publishes made in the same tick (a fan-out's) are gathered before the first batch leaves.
    this.#sending = new Promise((resolve) => setImmediate(resolve))
      .then(() => this.#drain())
      .finally(() => {
        this.#sending = undefined;
        // Anything queued after the last batch left and before this turn ended goes in the next one.
        if (this.#outbox.length > 0) this.#schedule();
      });
  }

  /** Sends the outbox in batches, one statement at a time, until it is empty. */
  async #drain(): Promise<void> {
    while (this.#outbox.length > 0) {
      const waiting = this.#outbox;
      this.#outbox = [];
      const ready = await Promise.allSettled(waiting.map((outgoing) => outgoing.payload));
      let batch: Array<{ outgoing: Outgoing; payload: string }> = [];
      let bytes = 0;
      let payloads = new Set<string>();
      const send = async () => {
        const sending = batch;
        batch = [];
        bytes = 0;
        payloads = new Set();
        if (sending.length === 0) return;
        try {
          await this.#notify(packNotifyPayloads(sending.map(({ payload }) => payload)));
          for (const { outgoing } of sending) outgoing.resolve();
        } catch (error) {
          for (const { outgoing } of sending) outgoing.reject(error);
        }
      };
      for (const [index, outgoing] of waiting.entries()) {
        const settled = ready[index] as PromiseSettledResult<string>;
        if (settled.status === 'rejected') {
          outgoing.reject(settled.reason);
          continue;
        }
        const payload = settled.value;
        const size = Buffer.byteLength(payload);
        // PostgreSQL would deliver a payload repeated in one transaction once: a repeat starts a new batch.
        if (payloads.has(payload) || (batch.length > 0 && bytes + size > MAX_BATCH_BYTES)) await send();
        batch.push({ outgoing, payload });
        bytes += size;
        payloads.add(payload);
      }
      await send();
    }
  }

  subscribe(userId: string, listener: LiveListener): () => void {
    return this.#local.subscribe(userId, listener);
  }

  async signal(signal: LiveSignal): Promise<void> {
    await this.#send([JSON.stringify({ signal })]);
  }

  onSignal(listener: (signal: LiveSignal) => void): () => void {
    return this.#local.onSignal(listener);
  }

  onResync(listener: () => void): () => void {
    return this.#local.onResync(listener);
  }

  listenerCount(): number {
    return this.#local.listenerCount();
  }

  async close(): Promise<void> {
    // What was published before closing still goes out.
    while (this.#sending) await this.#sending;
    this.#closed = true;
    clearInterval(this.#probe);
    await this.#local.close();
    const connection = this.#listen;
    this.#listen = undefined;
    await connection?.end();
    await this.#reconnecting;
  }
}
