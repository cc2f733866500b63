import { setUpPage } from './lms.js';

setUpPage('teacher');

// The host listens to the picker like to any form control.
const picker = document.querySelector('student-picker');
const summary = document.querySelector('#picked');
picker?.addEventListener('change', () => {
  const count = picker.value.length;
  summary.textContent =
    count === 0 ? 'Nobody selected yet.' : `${count} selected: ${picker.value.join(', ')}`;
});

// A notification's link (`#chat/<id>`) opens that chat.
const chat = document.querySelector('hub-chat');
const openFromHash = () => {
  const match = /^#chat\/(.+)$/.exec(location.hash);
  if (chat && match) chat.chatId = decodeURIComponent(match[1]);
};
addEventListener('hashchange', openFromHash);
openFromHash();
