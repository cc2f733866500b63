import type { HubNotification, NotificationKind } from '@teacher-hub/protocol';
import type { Clock } from '../clock.ts';
import { planFanOut, type FanOutPlan, type NotifyRequest, type Recipient } from './fan-out.ts';

/** A notification as stored: the contract's shape plus its owner and its place in the user's stream. */
export interface StoredNotification extends HubNotification {
  userId: string;
  /** Increases with every notification; the SSE event id, so a client resumes with `Last-Event-ID`. */
  seq: string;
  listed: boolean;
}

/** The outbox as one transaction sees it: read who gets what, write the rows and their delivery jobs. */
export interface Outbox {
  loadRecipients(userIds: readonly string[]): Promise<Recipient[]>;
  /** Writes the plan; a notification whose dedupe key exists is skipped with its deliveries. Returns what was written. */
  write(plan: FanOutPlan): Promise<StoredNotification[]>;
}

export interface NotifierPorts {
  clock: Clock;
  newId: () => string;
  /** Runs `work` in one database transaction with an outbox bound to it. */
  transaction<T>(work: (outbox: Outbox) => Promise<T>): Promise<T>;
  /** Tells open pages, after the transaction committed. */
  announce(notifications: readonly StoredNotification[]): Promise<void>;
  /** Tells the delivery worker there is work now. */
  wake(): void;
}

/**
 * The front door of the notification pipeline. Domain events call `notify` (its own transaction) or
 * `enqueue` inside the transaction of the change that caused them and then `announce` what it returned.
 */
export class Notifier {
  constructor(private readonly ports: NotifierPorts) {}

  /** Plans and writes `request` through an outbox of the caller's transaction. */
  async enqueue(outbox: Outbox, request: NotifyRequest): Promise<StoredNotification[]> {
    const recipients = await outbox.loadRecipients([...new Set(request.recipients)]);
    const plan = planFanOut(request, recipients, this.ports.newId, this.ports.clock.now());
    return outbox.write(plan);
  }

  /** Announces notifications written by `enqueue` once their transaction has committed. */
  async announce(notifications: readonly StoredNotification[]): Promise<void> {
    if (notifications.length === 0) return;
    this.ports.wake();
    await this.ports.announce(notifications.filter((notification) => notification.listed));
  }

  /** Writes and announces one request in a transaction of its own. */
  async notify(request: NotifyRequest): Promise<StoredNotification[]> {
    const written = await this.ports.transaction((outbox) => this.enqueue(outbox, request));
    await this.announce(written);
    return written;
  }
}

export type { NotificationKind };
