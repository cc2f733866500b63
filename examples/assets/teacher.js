import { setUpPage } from './lms.js';

setUpPage('teacher');

// The host listens to the picker like to any form control.
const picker = document.querySelector('student-picker');
const summary = document.querySelector('#picked');
const instant = document.querySelector('#instant-session');
picker?.addEventListener('change', () => {
  const count = picker.value.length;
  summary.textContent =
    count === 0 ? 'Nobody selected yet.' : `${count} selected: ${picker.value.join(', ')}`;
  instant.disabled = count === 0;
});

// "Start instant session": the chat with exactly these students (made if there is none), rung at once.
// Every hub element on this page shares one client, so <call-overlay> shows the call.
instant?.addEventListener('click', async () => {
  instant.disabled = true;
  try {
    await picker.client.calls.startWith(picker.value);
  } catch (error) {
    summary.textContent = `Could not start the session: ${error.message}`;
  } finally {
    instant.disabled = picker.value.length === 0;
  }
});

// The calendar's "Edit" opens the scheduler on that session; "Open chat" opens the session's chat.
const scheduler = document.querySelector('session-scheduler');
document.addEventListener('hub-session-edit', (event) => {
  scheduler.setAttribute('session-id', event.detail.sessionId);
  if (event.detail.occurrenceStart) scheduler.setAttribute('occurrence-start', event.detail.occurrenceStart);
  scheduler.scrollIntoView({ behavior: 'smooth', block: 'start' });
});
for (const done of ['hub-session-saved', 'hub-session-cancelled']) {
  scheduler?.addEventListener(done, () => {
    scheduler.removeAttribute('session-id');
    scheduler.removeAttribute('occurrence-start');
  });
}
document.addEventListener('hub-open-chat', (event) => {
  event.preventDefault();
  location.hash = `#chat/${encodeURIComponent(event.detail.chatId)}`;
  chat?.scrollIntoView({ behavior: 'smooth', block: 'start' });
});

// A notification's link (`#chat/<id>`) opens that chat.
const chat = document.querySelector('hub-chat');
const openFromHash = () => {
  const match = /^#chat\/(.+)$/.exec(location.hash);
  if (chat && match) chat.chatId = decodeURIComponent(match[1]);
};
addEventListener('hashchange', openFromHash);
openFromHash();
