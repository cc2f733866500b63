// The student dashboard's script, on the plain page (student.html) and the Bootstrap host (bootstrap.html): the
// host knows who is signed in and hands every hub element a token provider; nothing here styles them.
import { setUpPage } from './lms.js';

setUpPage('student');

// A notification's link (`#chat/<id>`), or "Open chat" on a session, opens that chat.
const chat = document.querySelector('hub-chat');
document.addEventListener('hub-open-chat', (event) => {
  event.preventDefault();
  location.hash = `#chat/${encodeURIComponent(event.detail.chatId)}`;
  chat?.scrollIntoView({ behavior: 'smooth', block: 'start' });
});
const openFromHash = () => {
  const match = /^#chat\/(.+)$/.exec(location.hash);
  if (chat && match) chat.chatId = decodeURIComponent(match[1]);
};
addEventListener('hashchange', openFromHash);
openFromHash();
