/**
 * Who is connected and what each connection watches. One process holds this in memory: the emulator serves
 * one hub instance (dev mode and CI), so its WebSocket state does not need to cross instances.
 */
import type { WebSocket } from 'ws';

export interface Connection {
  id: string;
  userId: string;
  socket: WebSocket;
  watching: Set<string>;
}

export class LiveConnections {
  readonly #connections = new Map<string, Connection>();
  readonly #byUser = new Map<string, Set<Connection>>();
  readonly #watchers = new Map<string, Set<Connection>>();

  add(connection: Connection): void {
    this.#connections.set(connection.id, connection);
    const set = this.#byUser.get(connection.userId) ?? new Set();
    set.add(connection);
    this.#byUser.set(connection.userId, set);
  }

  /** Forgets a connection; returns the channels its user no longer watches from any connection. */
  remove(connection: Connection): string[] {
    this.#connections.delete(connection.id);
    const set = this.#byUser.get(connection.userId);
    set?.delete(connection);
    if (set && set.size === 0) this.#byUser.delete(connection.userId);
    const stopped: string[] = [];
    for (const cid of connection.watching) {
      if (this.unwatch(connection, cid)) stopped.push(cid);
    }
    return stopped;
  }

  get(connectionId: string | undefined): Connection | undefined {
    return connectionId ? this.#connections.get(connectionId) : undefined;
  }

  isOnline(userId: string): boolean {
    return this.#byUser.has(userId);
  }

  connectionsOf(userId: string): Connection[] {
    return [...(this.#byUser.get(userId) ?? [])];
  }

  /** Starts watching; true when this is the user's first connection watching the channel. */
  watch(connection: Connection, cid: string): boolean {
    if (connection.watching.has(cid)) return false;
    const first = !this.isWatching(connection.userId, cid);
    connection.watching.add(cid);
    const set = this.#watchers.get(cid) ?? new Set();
    set.add(connection);
    this.#watchers.set(cid, set);
    return first;
  }

  /** Stops watching; true when no connection of the user watches the channel any more. */
  unwatch(connection: Connection, cid: string): boolean {
    if (!connection.watching.delete(cid)) return false;
    const set = this.#watchers.get(cid);
    set?.delete(connection);
    if (set && set.size === 0) this.#watchers.delete(cid);
    return !this.isWatching(connection.userId, cid);
  }

  /** Drops every watcher of a channel (it was deleted, or the user left it). */
  unwatchAll(cid: string, userId?: string): void {
    for (const connection of [...(this.#watchers.get(cid) ?? [])]) {
      if (!userId || connection.userId === userId) this.unwatch(connection, cid);
    }
  }

  isWatching(userId: string, cid: string): boolean {
    for (const connection of this.#watchers.get(cid) ?? []) {
      if (connection.userId === userId) return true;
    }
    return false;
  }

  watchersOf(cid: string): Connection[] {
    return [...(this.#watchers.get(cid) ?? [])];
  }

  watcherUserIds(cid: string): string[] {
    return [...new Set(this.watchersOf(cid).map((connection) => connection.userId))];
  }

  watcherCount(cid: string): number {
    return this.watcherUserIds(cid).length;
  }

  all(): Connection[] {
    return [...this.#connections.values()];
  }
}

export function send(connection: Connection, payload: unknown): void {
  if (connection.socket.readyState !== connection.socket.OPEN) return;
  connection.socket.send(JSON.stringify(payload));
}
