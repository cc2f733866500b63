/** One Server-Sent Event as a client sees it. */
export interface SseEvent {
  event: string;
  id?: string;
  data: string;
}

/**
 * Reads a `text/event-stream` response event by event, as EventSource would (comments are kept apart
 * so tests can see heartbeats). `next()` waits for the next event, failing after `timeoutMs`.
 */
export function readSse(response: Response) {
  if (!response.body) throw new Error('the response has no body');
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const events: SseEvent[] = [];
  const comments: string[] = [];
  let buffer = '';
  let done = false;
  let waiting: (() => void) | undefined;

  void (async () => {
    try {
      for (;;) {
        const { value, done: finished } = await reader.read();
        if (finished) break;
        buffer += value;
        let boundary: number;
        while ((boundary = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, boundary);
          buffer = buffer.slice(boundary + 2);
          const event: SseEvent = { event: 'message', data: '' };
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('event:')) event.event = line.slice(6).trim();
            else if (line.startsWith('id:')) event.id = line.slice(3).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
          }
          if (data.length > 0) {
            event.data = data.join('\n');
            events.push(event);
          }
          waiting?.();
        }
      }
    } catch {
      // cancelled
    } finally {
      done = true;
      waiting?.();
    }
  })();

  let cursor = 0;
  return {
    events,
    comments,
    /** The next event not returned yet (optionally of one type), waiting for it. */
    async next(type?: string, timeoutMs = 5_000): Promise<SseEvent> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        while (cursor < events.length) {
          const event = events[cursor++] as SseEvent;
          if (!type || event.event === type) return event;
        }
        if (done) throw new Error(`the stream ended before a ${type ?? 'next'} event`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no ${type ?? ''} event within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiting = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        waiting = undefined;
      }
    },
    /** Waits until a comment line (a heartbeat) has arrived. */
    async comment(timeoutMs = 5_000): Promise<string> {
      const deadline = Date.now() + timeoutMs;
      while (comments.length === 0) {
        if (Date.now() > deadline) throw new Error('no comment line');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return comments[0] as string;
    },
    close: () => reader.cancel(),
  };
}
