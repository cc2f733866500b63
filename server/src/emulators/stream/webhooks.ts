/**
 * Webhook delivery signed like Stream's: `X-Signature` is the hex HMAC-SHA256 of the raw body with the API
 * secret, `X-Webhook-Id` identifies the event and stays the same across retries, `X-Webhook-Attempt`
 * counts from 1, `X-Api-Key` names the app. Deliveries go out one at a time, in event order; a failed one
 * (network error, timeout or non-2xx) is retried a few times and then dropped, as Stream does.
 */
import { createHmac, randomUUID } from 'node:crypto';

export interface WebhookSenderOptions {
  apiKey: string;
  apiSecret: string;
  /** Where to post; resolved per event so an app-settings change applies at once. */
  target: () => string | undefined;
  retryDelaysMs: number[];
  timeoutMs: number;
  onError?: (error: unknown, attempt: number) => void;
}

export function signWebhook(body: string, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

export class WebhookSender {
  #queue: Promise<void> = Promise.resolve();
  #closed = false;
  readonly #abort = new AbortController();

  constructor(private readonly options: WebhookSenderOptions) {}

  hasTarget(): boolean {
    return !this.#closed && Boolean(this.options.target());
  }

  enqueue(event: Record<string, unknown>): void {
    if (this.#closed) return;
    const url = this.options.target();
    if (!url) return;
    const body = JSON.stringify(event);
    const id = randomUUID();
    this.#queue = this.#queue.then(() => this.#deliver(url, body, id));
  }

  /** Resolves when every event queued so far was delivered or given up on. */
  idle(): Promise<void> {
    return this.#queue;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#abort.abort();
    await this.#queue;
  }

  async #deliver(url: string, body: string, id: string): Promise<void> {
    const signature = signWebhook(body, this.options.apiSecret);
    const attempts = this.options.retryDelaysMs.length + 1;
    for (let attempt = 1; attempt <= attempts && !this.#closed; attempt += 1) {
      try {
        const response = await fetch(url, {
          method: 'POST',
          body,
          headers: {
            'content-type': 'application/json',
            'x-signature': signature,
            'x-webhook-id': id,
            'x-webhook-attempt': String(attempt),
            'x-api-key': this.options.apiKey,
            'user-agent': 'teacher-hub-stream-emulator',
          },
          signal: AbortSignal.any([this.#abort.signal, AbortSignal.timeout(this.options.timeoutMs)]),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) return;
        throw new Error(`webhook endpoint answered ${response.status}`);
      } catch (error) {
        if (this.#closed) return;
        this.options.onError?.(error, attempt);
        const delay = this.options.retryDelaysMs[attempt - 1];
        if (delay === undefined) return;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.#abort.signal.addEventListener(
            'abort',
            () => {
              clearTimeout(timer);
              resolve();
            },
            { once: true },
          );
        });
      }
    }
  }
}
