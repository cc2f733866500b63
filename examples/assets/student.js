import { setUpPage } from './lms.js';

setUpPage('student');

// A notification's link (`#chat/<id>`) opens that chat.
const chat = document.querySelector('hub-chat');
const openFromHash = () => {
  const match = /^#chat\/(.+)$/.exec(location.hash);
  if (chat && match) chat.chatId = decodeURIComponent(match[1]);
};
addEventListener('hashchange', openFromHash);
openFromHash();
