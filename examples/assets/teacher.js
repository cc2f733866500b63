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

// A notification's link (`#chat/<id>`) opens that chat.
const chat = document.querySelector('hub-chat');
const openFromHash = () => {
  const match = /^#chat\/(.+)$/.exec(location.hash);
  if (chat && match) chat.chatId = decodeURIComponent(match[1]);
};
addEventListener('hashchange', openFromHash);
openFromHash();
