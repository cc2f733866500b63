// Injected into the bench page before any of its scripts (`page.addInitScript`): records long tasks from
// the start and gives the bench the measurements it takes inside the page, as `window.chatBench`. Plain
// JavaScript on purpose: functions written in the bench's TypeScript would reach the page with the
// loader's helpers in them.
(() => {
  const longTasks = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      longTasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: 'longtask', buffered: true });
  // What long frames were spent on (Chromium's long animation frames), to say what a long task was.
  const longFrames = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const scripts = entry.scripts
        .toSorted((a, b) => b.duration - a.duration)
        .slice(0, 3)
        .map((script) => {
          const source = `${script.sourceURL.split('/').pop()}:${script.sourceFunctionName}`;
          return `${script.invoker} (${source}) ${Math.round(script.duration)} ms`;
        });
      const end = entry.startTime + entry.duration;
      const layout = entry.styleAndLayoutStart ? Math.round(end - entry.styleAndLayoutStart) : 0;
      const parts = [...scripts, `style and layout ${layout} ms`];
      longFrames.push({
        start: entry.startTime,
        duration: entry.duration,
        what: `${Math.round(entry.duration)} ms frame: ${parts.join(', ')}`,
      });
    }
  }).observe({ type: 'long-animation-frame', buffered: true });

  /** Resolves after the frame that follows: the DOM as it is now has been painted by then. */
  const afterPaint = () => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
  const nextFrame = () => new Promise((done) => requestAnimationFrame(done));

  const chatRoot = () => document.querySelector('hub-chat')?.shadowRoot;
  const conversationRoot = () => chatRoot()?.querySelector('hub-chat-conversation')?.shadowRoot;
  const messageList = () => conversationRoot()?.querySelector('.messages');
  const rows = () => [...(messageList()?.querySelectorAll('[part="message"]') ?? [])];

  /** Wall-clock milliseconds, comparable with the bench process's `performance.timeOrigin + now()`. */
  const wall = () => performance.timeOrigin + performance.now();

  const appeared = new Map();

  window.chatBench = {
    now: () => performance.now(),

    /** The chat is listed and clickable. */
    listed: (chatId) =>
      Boolean(
        chatRoot()
          ?.querySelector('hub-chat-list')
          ?.shadowRoot?.querySelector(`[part="chat-item"][data-id="${chatId}"]`),
      ),

    /**
     * Clicks the chat in the list and waits until the row of `newestId` exists and has been painted.
     * Returns both instants (`performance.now()`) and how many message rows the DOM holds then.
     */
    async open(chatId, newestId) {
      const item = chatRoot()
        .querySelector('hub-chat-list')
        .shadowRoot.querySelector(`[part="chat-item"][data-id="${chatId}"]`);
      const start = performance.now();
      item.click();
      const deadline = start + 30_000;
      while (!messageList()?.querySelector(`[data-id="${newestId}"]`)) {
        if (performance.now() > deadline) {
          const status = [...(chatRoot()?.querySelectorAll('.status') ?? [])].map((node) => node.textContent);
          throw new Error(
            `the newest message was not shown within 30 s (the chat says: ${status.join('; ')})`,
          );
        }
        await nextFrame();
      }
      await afterPaint();
      return { start, end: performance.now(), rows: rows().length };
    },

    /** From now on, notes when each new message row (by its text) is first painted, in wall-clock time. */
    watchArrivals() {
      new MutationObserver((records) => {
        const added = [];
        for (const record of records) {
          for (const node of record.addedNodes) {
            if (node instanceof HTMLElement && node.getAttribute('part') === 'message') {
              const text = node.querySelector('.text')?.textContent ?? '';
              if (!appeared.has(text)) added.push(text);
            }
          }
        }
        if (added.length === 0) return;
        for (const text of added) appeared.set(text, undefined);
        void afterPaint().then(() => {
          const at = wall();
          for (const text of added) appeared.set(text, at);
        });
      }).observe(messageList(), { childList: true });
    },

    /** When each of `texts` was painted (wall clock), or null for those not yet. */
    arrivals: (texts) => texts.map((text) => appeared.get(text) ?? null),

    /**
     * Scrolls the message list to its top again and again, as a reader going back through the history,
     * until the start of the chat shows (or `limitMs` passes). Each step's time runs from the scroll to
     * the paint of a new oldest row.
     */
    async scrollToStart(limitMs) {
      const started = performance.now();
      const steps = [];
      const list = messageList();
      const start = () => list.querySelector('.start');
      while (!start() && performance.now() - started < limitMs) {
        const oldest = rows()[0]?.dataset.id;
        const begin = performance.now();
        // Still at the top (the rows that came were shorter than the list): setting scrollTop would fire
        // no scroll event, so send the one a reader's scrolling would.
        if (list.scrollTop === 0) list.dispatchEvent(new Event('scroll'));
        else list.scrollTop = 0;
        while (rows()[0]?.dataset.id === oldest && !start()) {
          if (performance.now() - begin > 30_000) {
            const loading = Boolean(list.querySelector('[role="status"]'));
            throw new Error(
              `scrolling to the top showed nothing older in 30 s (step ${steps.length + 1}, ` +
                `${rows().length} rows, scrollTop ${list.scrollTop}, loading: ${loading})`,
            );
          }
          await nextFrame();
        }
        await afterPaint();
        steps.push(performance.now() - begin);
      }
      return {
        steps,
        reachedStart: Boolean(start()),
        rows: rows().length,
        start: started,
        end: performance.now(),
      };
    },

    /** The long tasks that started within [from, to] (`performance.now()` instants). */
    longTasks: (from, to) => longTasks.filter((task) => task.start >= from && task.start <= to),

    /** What the longest frame that started within [from, to] was spent on, or '' when none was long. */
    longestFrame(from, to) {
      const frames = longFrames.filter((frame) => frame.start >= from && frame.start <= to);
      return frames.toSorted((a, b) => b.duration - a.duration)[0]?.what ?? '';
    },
  };
})();
