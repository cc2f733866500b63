/// <reference types="mocha" />
import { HubClient } from '@teacher-hub/core';
import type { HubChat } from '@teacher-hub/core';
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { devToken, hubServer, withLargeClass } from '../testing/hub-test-server.ts';
import { CHAT_REACTIONS } from '@teacher-hub/core/chat';
import { MAX_ROWS, NEWEST_ROWS, OLDER_ROWS, REACTION_EMOJI } from './hub-chat-conversation.ts';
import type { HubChatElement } from './hub-chat.ts';
import './hub-chat.ts';

// Two real users against the real hub and its GetStream emulator: Ada (teacher) and one of her students,
// each with an element of their own, as in two browser tabs. Each test has a direct chat with a student of
// its own: a group would send `chat.added` notifications to seeded students whose notification centers
// other test files count, and the directory is shared with those files too.

const WAIT = { timeout: 8_000 };

async function clientFor(userId: string): Promise<HubClient> {
  return new HubClient({ server: hubServer(), tokenProvider: () => devToken(userId) });
}

async function directChatWith(studentId: string): Promise<HubChat> {
  const ada = await clientFor('t-ada');
  return (await ada.api.openDirectChat(studentId)).chat;
}

async function chatFor(userId: string, chatId?: string): Promise<HubChatElement> {
  const client = await clientFor(userId);
  const element = await fixture<HubChatElement>(
    html`<hub-chat .client=${client} chat-id=${chatId ?? ''} style="--hub-chat-height: 40rem"></hub-chat>`,
  );
  return element;
}

function root(element: HubChatElement): ShadowRoot {
  return element.shadowRoot!;
}

/** The chat list's shadow root (a lazily defined inner element). */
function list(element: HubChatElement): ParentNode {
  return element.shadowRoot!.querySelector('hub-chat-list')?.shadowRoot ?? document.createDocumentFragment();
}

/** The open conversation's shadow root (a lazily defined inner element). */
function view(element: HubChatElement): ShadowRoot {
  const conversation = element.shadowRoot!.querySelector('hub-chat-conversation');
  if (!conversation?.shadowRoot) throw new Error('no conversation is open');
  return conversation.shadowRoot;
}

function messageElements(element: HubChatElement): HTMLElement[] {
  return [...view(element).querySelectorAll<HTMLElement>('.messages [part="message"]')];
}

function messageByText(element: HubChatElement, text: string): HTMLElement | undefined {
  return messageElements(element).find((message) =>
    message.querySelector('.bubble')?.textContent?.includes(text),
  );
}

/**
 * A message's action button, as a keyboard user reaches it: the message row is a tab stop, and its toolbar
 * is drawn once the row has focus (only the rows pointed at or focused have one).
 */
async function action(element: HubChatElement, text: string, selector: string): Promise<HTMLButtonElement> {
  const row = messageByText(element, text);
  if (!row) throw new Error(`no message "${text}"`);
  row.focus();
  // A page that is not the window in front (test files run side by side) is sent no focus events: this is
  // the one the browser sends a page in front.
  row.dispatchEvent(new FocusEvent('focusin', { bubbles: true, composed: true }));
  await waitUntil(
    () => row.querySelector(selector),
    `no "${selector}" in the focused message's toolbar`,
    WAIT,
  );
  return row.querySelector<HTMLButtonElement>(selector)!;
}

async function ready(element: HubChatElement): Promise<void> {
  await waitUntil(
    () => element.shadowRoot!.querySelector('hub-chat-conversation')?.shadowRoot?.querySelector('.messages'),
    'the conversation did not load',
    WAIT,
  );
}

const nextFrame = () => new Promise((resolve) => requestAnimationFrame(resolve));

/**
 * Scrolls the message list to its top, as a wheel does (a list at its top already gets the event too),
 * and checks that older rows (or the start of the chat) come above while the row that was at the top stays
 * where it is on screen.
 */
async function scrollUpInPlace(element: HubChatElement): Promise<void> {
  const list = view(element).querySelector<HTMLElement>('.messages')!;
  const top = messageElements(element)[0]!;
  if (list.scrollTop === 0) list.dispatchEvent(new Event('scroll'));
  else list.scrollTop = 0;
  const at = top.getBoundingClientRect().top;
  const start = () => view(element).querySelector('.messages .start');
  await waitUntil(() => messageElements(element)[0] !== top || start(), 'nothing older showed', WAIT);
  await nextFrame();
  expect(top.isConnected).to.equal(true);
  expect(top.getBoundingClientRect().top).to.be.closeTo(at, 2, 'the rows read stay in place (scrolling up)');
}

/**
 * Scrolls the message list to its end, and checks that newer rows come below while the last one stays put
 * (unless they reach the `newest` message: the list then follows the newest again, pinned to its end).
 */
async function scrollDownInPlace(element: HubChatElement, newest: string): Promise<void> {
  const list = view(element).querySelector<HTMLElement>('.messages')!;
  const bottom = messageElements(element).at(-1)!;
  const end = list.scrollHeight - list.clientHeight;
  if (list.scrollTop >= end - 1) list.dispatchEvent(new Event('scroll'));
  else list.scrollTop = end;
  const at = bottom.getBoundingClientRect().top;
  await waitUntil(() => messageElements(element).at(-1) !== bottom, 'nothing newer showed', WAIT);
  await nextFrame();
  if (messageByText(element, newest)) return;
  expect(bottom.isConnected).to.equal(true);
  expect(bottom.getBoundingClientRect().top).to.be.closeTo(
    at,
    2,
    'the rows read stay in place (scrolling down)',
  );
}

async function type(element: HubChatElement, text: string): Promise<void> {
  const input = view(element).querySelector<HTMLTextAreaElement>('#composer-input')!;
  input.focus();
  input.value = text;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  await element.updateComplete;
}

async function send(element: HubChatElement, text: string): Promise<void> {
  await type(element, text);
  const input = view(element).querySelector<HTMLTextAreaElement>('#composer-input')!;
  input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
  await waitUntil(() => messageByText(element, text.trim().slice(0, 20)), `"${text}" was not shown`, WAIT);
}

describe('<hub-chat>', () => {
  let elements: HubChatElement[] = [];
  afterEach(() => {
    for (const element of elements) element.remove();
    elements = [];
  });

  it('lists the chat for both members, and a message arrives live on the other side', async () => {
    const chat = await directChatWith('s-05');
    const ada = await chatFor('t-ada');
    const student = await chatFor('s-05');
    elements = [ada, student];
    for (const element of elements) {
      await waitUntil(
        () => list(element).querySelector(`[part="chat-item"][data-id="${chat.id}"]`),
        'the chat is not listed',
        WAIT,
      );
    }
    list(ada).querySelector<HTMLButtonElement>(`[part="chat-item"][data-id="${chat.id}"]`)!.click();
    await ready(ada);
    expect(ada.chatId).to.equal(chat.id);

    await send(ada, 'Hello class, homework is page 12');
    // The student has not opened it: the list shows the preview and one unread message.
    await waitUntil(
      () => {
        const item = list(student).querySelector(`[part="chat-item"][data-id="${chat.id}"]`);
        return item?.querySelector('[part="unread-badge"]')?.textContent?.startsWith('1');
      },
      'no unread badge on the student side',
      WAIT,
    );
    expect(list(student).querySelector(`[data-id="${chat.id}"] .preview`)?.textContent).to.contain(
      'homework is page 12',
    );

    student.chatId = chat.id;
    await ready(student);
    await waitUntil(() => messageByText(student, 'homework is page 12'), 'the message did not arrive', WAIT);
    // Opening it reads it: Ada sees "Seen by" under her message and the badge goes.
    await waitUntil(
      () => view(ada).querySelector('[part="seen"]:not([hidden])')?.textContent?.includes('Elif'),
      'Ada does not see that the student read it',
      WAIT,
    );
    await waitUntil(
      () => !list(student).querySelector(`[data-id="${chat.id}"] [part="unread-badge"]`),
      '',
      WAIT,
    );

    await send(student, 'Thanks!');
    await waitUntil(() => messageByText(ada, 'Thanks!'), 'the reply did not arrive live', WAIT);
    await expect(ada).to.be.accessible();
  });

  it('shows who is typing, and reactions, thread replies and pins on both sides', async () => {
    const chat = await directChatWith('s-06');
    const ada = await chatFor('t-ada', chat.id);
    const student = await chatFor('s-06', chat.id);
    elements = [ada, student];
    await ready(ada);
    await ready(student);

    await type(student, 'I am wri');
    await waitUntil(
      () => view(ada).querySelector('[part="typing"]')?.textContent?.includes('is typing…'),
      'no typing indicator',
      WAIT,
    );

    // Clearing the draft stops the indicator on the other side.
    await type(student, '');
    await waitUntil(
      () => view(ada).querySelector('[part="typing"]')?.textContent?.trim() === '',
      'typing did not stop',
      WAIT,
    );

    await send(ada, 'Quiz on Friday');
    await waitUntil(() => messageByText(student, 'Quiz on Friday'), 'message not live', WAIT);

    // Only a row pointed at or focused has a toolbar. Focused, it offers every reaction, labelled, and says
    // which are the reader's own; pointing at another row draws that one's too, and focus keeps its own.
    expect(messageElements(student).filter((row) => row.querySelector('[role="toolbar"]'))).to.have.length(0);
    const toolbar = (await action(student, 'Quiz on Friday', '[role="toolbar"]')) as HTMLElement;
    expect(view(student).activeElement).to.equal(messageByText(student, 'Quiz on Friday'));
    expect(
      [...toolbar.querySelectorAll('[data-react]')].map((button) => [
        button.getAttribute('data-react'),
        button.getAttribute('aria-label'),
        button.textContent?.trim(),
        button.getAttribute('aria-pressed'),
      ]),
    ).to.deep.equal(
      CHAT_REACTIONS.map((type) => [
        type,
        `React with ${REACTION_EMOJI[type].label}`,
        REACTION_EMOJI[type].emoji,
        'false',
      ]),
    );

    await send(ada, 'Bring a calculator');
    await waitUntil(() => messageByText(student, 'Bring a calculator'), 'message not live', WAIT);
    const other = messageByText(student, 'Bring a calculator')!;
    other.dispatchEvent(new PointerEvent('pointerover', { bubbles: true, composed: true }));
    await waitUntil(() => other.querySelector('[role="toolbar"]'), 'no toolbar on the row pointed at', WAIT);
    expect(messageByText(student, 'Quiz on Friday')!.querySelector('[role="toolbar"]')).to.equal(toolbar);

    // A reaction from the student shows on Ada's side with its count.
    (await action(student, 'Quiz on Friday', '[data-react="tada"]')).click();
    await waitUntil(
      () =>
        messageByText(ada, 'Quiz on Friday')
          ?.querySelector('.reaction[data-type="tada"]')
          ?.textContent?.includes('1'),
      'the reaction did not reach Ada',
      WAIT,
    );
    // The student's own view marks her reaction as hers (it may follow Ada's under load).
    await waitUntil(
      () =>
        messageByText(student, 'Quiz on Friday')
          ?.querySelector('.reaction[data-type="tada"]')
          ?.getAttribute('aria-pressed') === 'true',
      'the student’s own reaction is not marked as hers',
      WAIT,
    );

    // A thread reply: the student replies, Ada sees the reply count and opens the thread.
    (await action(student, 'Quiz on Friday', '.reply')).click();
    await waitUntil(() => view(student).querySelector('[part="thread"]'), 'no thread panel', WAIT);
    const threadInput = view(student).querySelector<HTMLTextAreaElement>('#thread-input')!;
    threadInput.value = 'Which chapters?';
    threadInput.dispatchEvent(new Event('input'));
    threadInput.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', cancelable: true }));
    await waitUntil(
      () => messageByText(ada, 'Quiz on Friday')?.querySelector('.replies')?.textContent?.includes('1 reply'),
      'Ada sees no reply count',
      WAIT,
    );
    messageByText(ada, 'Quiz on Friday')!.querySelector<HTMLButtonElement>('.replies')!.click();
    await waitUntil(
      () => view(ada).querySelector('[part="thread"]')?.textContent?.includes('Which chapters?'),
      'the reply is not in Ada’s thread panel',
      WAIT,
    );

    // Ada pins her message: the student sees it pinned, and in the pinned panel.
    (await action(ada, 'Quiz on Friday', '.pin')).click();
    await waitUntil(
      () => messageByText(student, 'Quiz on Friday')?.querySelector('.pinned-flag'),
      'the pin did not reach the student',
      WAIT,
    );
    view(student).querySelector<HTMLButtonElement>('.pins-toggle')!.click();
    await waitUntil(
      () => view(student).querySelector('[part="pins"]')?.textContent?.includes('Quiz on Friday'),
      'not in the pinned panel',
      WAIT,
    );
    await expect(student).to.be.accessible();

    // Escape closes the panel and returns to the composer.
    view(student)
      .querySelector('[part="pins"] button')!
      .dispatchEvent(
        new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true, cancelable: true }),
      );
    await student.updateComplete;
    await waitUntil(
      () => !view(student).querySelector('[part="pins"]'),
      'the pinned panel did not close',
      WAIT,
    );
    await waitUntil(
      () => view(student).activeElement?.id === 'composer-input',
      'focus is not in the composer',
      WAIT,
    );
  });

  it('uploads a file that the other member can open, and edits and deletes own messages', async () => {
    const chat = await directChatWith('s-07');
    const ada = await chatFor('t-ada', chat.id);
    const student = await chatFor('s-07', chat.id);
    elements = [ada, student];
    await ready(ada);
    await ready(student);

    const file = new File(['worksheet answers'], 'answers.txt', { type: 'text/plain' });
    const input = view(ada).querySelector<HTMLInputElement>('#file-input')!;
    const transfer = new DataTransfer();
    transfer.items.add(file);
    input.files = transfer.files;
    input.dispatchEvent(new Event('change'));
    await ada.updateComplete;
    expect(view(ada).querySelector('.pending')?.textContent).to.contain('answers.txt');
    await send(ada, 'Here are the answers');

    const link = await waitUntil(
      () => messageByText(student, 'Here are the answers')?.querySelector<HTMLAnchorElement>('a.attachment'),
      'no attachment link on the student side',
      WAIT,
    ).then(() =>
      messageByText(student, 'Here are the answers')!.querySelector<HTMLAnchorElement>('a.attachment')!,
    );
    expect(link.textContent).to.contain('answers.txt');
    const response = await fetch(link.href);
    expect(response.ok).to.equal(true);
    expect(await response.text()).to.equal('worksheet answers');

    // Edit, then delete, her own message; both reach the student.
    await send(ada, 'Typo here');
    (await action(ada, 'Typo here', '.edit')).click();
    await ada.updateComplete;
    const editor = view(ada).querySelector<HTMLTextAreaElement>('.editor textarea')!;
    editor.value = 'Fixed here';
    editor.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
    await waitUntil(() => messageByText(student, 'Fixed here'), 'the edit did not arrive', WAIT);
    (await action(ada, 'Fixed here', '.delete')).click();
    await ada.updateComplete;
    (await action(ada, 'Fixed here', '.delete')).click();
    await waitUntil(() => !messageByText(student, 'Fixed here'), 'the deletion did not arrive', WAIT);
    expect(
      messageElements(student).some((message) => message.textContent?.includes('Message deleted')),
    ).to.equal(true);
  });

  it('renders hostile text inert and readable', async () => {
    const chat = await directChatWith('s-08');
    const ada = await chatFor('t-ada', chat.id);
    const student = await chatFor('s-08', chat.id);
    elements = [ada, student];
    await ready(ada);
    await ready(student);
    const marker = window as unknown as { hubChatXss?: number };
    marker.hubChatXss = 0;

    const corpus = [
      '<script>window.hubChatXss = 1</script>',
      '<img src=x onerror="window.hubChatXss = 2">',
      'click javascript:window.hubChatXss=3 now',
      '[link](javascript:alert(1)) <a href="javascript:alert(1)">a</a>',
      `long ${'w'.repeat(400)} word`,
      'مرحبا بالصف https://example.edu/rtl',
    ];
    for (const text of corpus) await send(ada, text);
    await waitUntil(() => messageByText(student, 'مرحبا'), 'the corpus did not arrive', WAIT);
    await new Promise((resolve) => setTimeout(resolve, 200));

    for (const element of [ada, student]) {
      const shadow = view(element);
      expect(shadow.querySelector('.messages script')).to.equal(null);
      expect(shadow.querySelector('.messages img:not(.attachments img)')).to.equal(null);
      const links = [...shadow.querySelectorAll<HTMLAnchorElement>('.messages a')];
      expect(links.map((link) => link.href)).to.deep.equal(['https://example.edu/rtl']);
      expect(messageByText(element, '<script>window.hubChatXss = 1</script>')).to.not.equal(undefined);
      expect(messageByText(element, 'onerror=')).to.not.equal(undefined);
      // The long word wraps inside the conversation instead of widening it.
      const list = shadow.querySelector<HTMLElement>('.messages')!;
      expect(list.scrollWidth).to.be.at.most(list.clientWidth + 1);
    }
    expect(marker.hubChatXss).to.equal(0);
  });

  it('lets a student message their teacher from "New chat"', async () => {
    const student = await chatFor('s-05');
    elements = [student];
    await waitUntil(() => list(student).querySelector('.new-chat'), 'no New chat button', WAIT);
    list(student).querySelector<HTMLButtonElement>('.new-chat')!.click();
    const form = await waitUntil(
      () => root(student).querySelector('hub-chat-new')?.shadowRoot?.querySelector('#direct-person'),
      'no teacher choice',
      WAIT,
    ).then(() => root(student).querySelector('hub-chat-new')!.shadowRoot!);
    const select = form.querySelector<HTMLSelectElement>('#direct-person')!;
    expect([...select.options].map((option) => option.value)).to.include('t-ada');
    expect(form.querySelector('student-picker')).to.equal(null);
    select.value = 't-ada';
    form.querySelector<HTMLButtonElement>('#direct-person ~ button')!.click();
    await ready(student);
    const direct = (await (await clientFor('s-05')).api.openDirectChat('t-ada')).chat;
    expect(student.chatId).to.equal(direct.id);
  });

  it('lets a teacher make a group with the student picker, rename it, add and remove members; the student sees it', async () => {
    await withLargeClass(1, 2, async (teacher) => {
      const teacherClient = new HubClient({ server: hubServer(), token: teacher.token });
      const element = await fixture<HubChatElement>(html`<hub-chat .client=${teacherClient}></hub-chat>`);
      elements = [element];
      await waitUntil(() => list(element).querySelector('.new-chat'), 'no New chat button', WAIT);
      list(element).querySelector<HTMLButtonElement>('.new-chat')!.click();
      const form = await waitUntil(
        () => root(element).querySelector('hub-chat-new')?.shadowRoot?.querySelector('student-picker'),
        'no student picker',
        WAIT,
      ).then(() => root(element).querySelector('hub-chat-new')!.shadowRoot!);
      await expect(root(element).querySelector('hub-chat-new')).to.be.accessible();
      form.querySelector<HTMLInputElement>('#group-name')!.value = 'Study group';
      const picker = form.querySelector('student-picker')!;
      const studentId = `${teacher.id}-s-1`;
      picker.value = [studentId];
      form.querySelector<HTMLButtonElement>('button.primary')!.click();
      await ready(element);
      expect(list(element).querySelector('[part="chat-item"] .chat-name')?.textContent).to.equal(
        'Study group',
      );

      // The owner renames the group, adds the second student and removes the first.
      view(element).querySelector<HTMLButtonElement>('.members-toggle')!.click();
      await waitUntil(
        () => view(element).querySelector('[part="members"] student-picker'),
        'no members panel',
        WAIT,
      );
      await expect(element).to.be.accessible();
      const nameInput = view(element).querySelector<HTMLInputElement>('#chat-name-input')!;
      nameInput.value = 'Study group B';
      nameInput.form!.requestSubmit();
      await waitUntil(
        () => list(element).querySelector('[part="chat-item"] .chat-name')?.textContent === 'Study group B',
        'the rename did not show',
        WAIT,
      );
      const secondId = `${teacher.id}-s-2`;
      const addPicker = view(element).querySelector<HTMLElement & { value: string[] }>(
        '.add student-picker',
      )!;
      addPicker.value = [secondId];
      view(element).querySelector<HTMLFormElement>('form.add')!.requestSubmit();
      await waitUntil(
        () => view(element).querySelector(`.remove-member[data-id="${secondId}"]`),
        'the added member is not listed',
        WAIT,
      );
      view(element).querySelector<HTMLButtonElement>(`.remove-member[data-id="${secondId}"]`)!.click();
      await waitUntil(
        () => !view(element).querySelector(`.remove-member[data-id="${secondId}"]`),
        'the removed member is still listed',
        WAIT,
      );
      const students = (await teacherClient.api.chats()).chats[0]?.memberIds ?? [];
      expect(students).to.include(studentId).and.not.include(secondId);

      const student = await fixture<HubChatElement>(
        html`<hub-chat
          .client=${new HubClient({ server: hubServer(), token: await devToken(studentId) })}
        ></hub-chat>`,
      );
      elements.push(student);
      await waitUntil(
        () => list(student).querySelector('[part="chat-item"]')?.textContent?.includes('Study group B'),
        'the student does not see the group',
        WAIT,
      );
    });
  });

  it('sends an image through the image upload and says in words why a file cannot go', async () => {
    const chat = await directChatWith('s-06');
    const ada = await chatFor('t-ada', chat.id);
    const student = await chatFor('s-06', chat.id);
    elements = [ada, student];
    await ready(ada);
    await ready(student);

    const canvas = document.createElement('canvas');
    canvas.width = 4;
    canvas.height = 4;
    const png = await new Promise<Blob>((resolve) => canvas.toBlob((blob) => resolve(blob!), 'image/png'));
    const input = view(ada).querySelector<HTMLInputElement>('#file-input')!;
    const transfer = new DataTransfer();
    transfer.items.add(new File([png], 'graph.png', { type: 'image/png' }));
    input.files = transfer.files;
    input.dispatchEvent(new Event('change'));
    await send(ada, 'My graph');
    await waitUntil(
      () => messageByText(student, 'My graph')?.querySelector('img[alt="graph.png"]'),
      'the image did not arrive',
      WAIT,
    );
    const image = messageByText(student, 'My graph')!.querySelector<HTMLImageElement>('img')!;
    expect((await fetch(image.src)).headers.get('content-type')).to.contain('image/png');

    // Pasted and dropped files join the message too.
    const pasted = new DataTransfer();
    pasted.items.add(new File(['pasted'], 'pasted.txt', { type: 'text/plain' }));
    view(ada)
      .querySelector('#composer-input')!
      .dispatchEvent(new ClipboardEvent('paste', { clipboardData: pasted, bubbles: true, cancelable: true }));
    const dropped = new DataTransfer();
    dropped.items.add(new File(['dropped'], 'dropped.txt', { type: 'text/plain' }));
    view(ada)
      .querySelector('.conversation')!
      .dispatchEvent(new DragEvent('drop', { dataTransfer: dropped, bubbles: true, cancelable: true }));
    await ada.updateComplete;
    expect(view(ada).querySelector('.pending')?.textContent)
      .to.contain('pasted.txt')
      .and.contain('dropped.txt');
    await send(ada, 'Two more files');
    await waitUntil(
      () => messageByText(student, 'Two more files')?.querySelectorAll('a.attachment').length === 2,
      'the pasted and dropped files did not arrive',
      WAIT,
    );

    // An empty file is refused before any upload, in words, and nothing is sent.
    const empty = new DataTransfer();
    empty.items.add(new File([], 'empty.txt', { type: 'text/plain' }));
    input.files = empty.files;
    input.dispatchEvent(new Event('change'));
    await type(ada, 'Nothing here');
    view(ada).querySelector<HTMLFormElement>('form.composer')!.requestSubmit();
    await waitUntil(
      () => view(ada).querySelector('[role="alert"]')?.textContent?.includes('“empty.txt” is empty.'),
      'no error in words',
      WAIT,
    );
    expect(messageByText(ada, 'Nothing here')).to.equal(undefined);
  });

  it('loads older messages when scrolled to the top', async () => {
    const chat = await directChatWith('s-05');
    // The student writes 35 messages through the core service (so Ada, who is not in the notification
    // tests, is the one with unread messages).
    const sender = await clientFor('s-05');
    await sender.chat.connect();
    const conversation = await sender.chat.conversation(chat.id);
    await conversation.open();
    for (let index = 1; index <= 35; index++) await conversation.send(`Older message ${index}`);
    sender.chat.disconnect();

    const ada = await chatFor('t-ada', chat.id);
    elements = [ada];
    await ready(ada);
    await waitUntil(() => messageByText(ada, 'Older message 35'), 'the newest page is missing', WAIT);
    const oldest = () =>
      messageElements(ada).some((item) => item.querySelector('.text')?.textContent === 'Older message 1');
    expect(oldest()).to.equal(false);
    const list = view(ada).querySelector<HTMLElement>('.messages')!;
    expect(list.scrollHeight - list.scrollTop - list.clientHeight).to.be.below(2, 'pinned to the bottom');
    // As a reader does: back to the top until the start shows. Rows of the newest page that were not drawn
    // yet (opening draws them in steps) may come first; then the older page is asked for.
    await waitUntil(
      () => {
        if (oldest()) return true;
        list.scrollTop = 0;
        list.dispatchEvent(new Event('scroll'));
        return false;
      },
      'older messages did not load',
      WAIT,
    );
  });

  it('draws a long chat a window at a time: older rows above and newer below in place, the newest at the bottom', async function () {
    // It writes 150 messages through the hub first: more than the default 10 s on a busy CI machine.
    this.timeout(40_000);
    await withLargeClass(1, 1, async (teacher) => {
      const studentId = `${teacher.id}-s-1`;
      const teacherClient = new HubClient({ server: hubServer(), token: teacher.token });
      const chat = (await teacherClient.api.openDirectChat(studentId)).chat;
      const sender = new HubClient({ server: hubServer(), token: await devToken(studentId) });
      await sender.chat.connect();
      const conversation = await sender.chat.conversation(chat.id);
      await conversation.open();
      const history = MAX_ROWS + OLDER_ROWS;
      // Ten at a time (in any order within each ten), so the chat is written within the test's time.
      for (let index = 1; index <= history; index += 10) {
        const batch = Array.from({ length: Math.min(10, history - index + 1) }, (_, at) => index + at);
        await Promise.all(batch.map((number) => conversation.send(`History ${number}`)));
      }

      const element = await fixture<HubChatElement>(
        html`<hub-chat
          .client=${teacherClient}
          chat-id=${chat.id}
          style="--hub-chat-height: 40rem"
        ></hub-chat>`,
      );
      elements = [element];
      await ready(element);
      await waitUntil(() => messageByText(element, `History ${history}`), 'the newest page is missing', WAIT);
      expect(messageElements(element).length).to.be.at.most(NEWEST_ROWS);

      // Scrolled up, the reader stays there when the view updates before the scroll event has come.
      const list = view(element).querySelector<HTMLElement>('.messages')!;
      const inner = root(element).querySelector('hub-chat-conversation')!;
      list.scrollTop = 0;
      inner.requestUpdate();
      await inner.updateComplete;
      expect(list.scrollTop).to.equal(0);

      // Scrolling up brings older rows above, from the server or from those loaded already, and the row
      // at the top stays where it was on the screen.
      const start = () => view(element).querySelector('.messages .start');
      while (!start()) {
        await scrollUpInPlace(element);
        expect(messageElements(element).length).to.be.at.most(MAX_ROWS);
      }
      expect(messageByText(element, 'History 1')).to.not.equal(undefined);
      expect(messageByText(element, `History ${history}`), 'the newest rows were let go of').to.equal(
        undefined,
      );

      // A message that comes while the teacher reads far back leaves her place alone.
      const top = messageElements(element)[0]!;
      const at = top.getBoundingClientRect().top;
      await conversation.send('While you read');
      const teacherSide = inner.conversation!;
      await waitUntil(
        () => teacherSide.state.messages.some((message) => message.text === 'While you read'),
        'the new message did not arrive',
        WAIT,
      );
      await nextFrame();
      expect(top.getBoundingClientRect().top).to.be.closeTo(at, 2);

      // Scrolling down brings the newer rows back below, a page at a time, up to the new message.
      while (!messageByText(element, 'While you read')) {
        await scrollDownInPlace(element, 'While you read');
        expect(messageElements(element).length).to.be.at.most(MAX_ROWS);
      }

      // Back at the bottom, only the newest rows are drawn again, pinned to the end.
      list.scrollTop = list.scrollHeight;
      await waitUntil(
        () => messageElements(element).length <= NEWEST_ROWS,
        'the rows above stayed in the DOM',
        WAIT,
      );
      await nextFrame();
      expect(messageElements(element).at(-1)?.textContent).to.contain('While you read');
      expect(list.scrollHeight - list.scrollTop - list.clientHeight).to.be.below(2, 'pinned to the bottom');

      // Scrolling up again shows the rows loaded already, in place.
      await scrollUpInPlace(element);
      expect(messageElements(element).length).to.be.above(NEWEST_ROWS);
      sender.chat.disconnect();
      await expect(element).to.be.accessible();
    });
  });
});
