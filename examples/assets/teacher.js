import { setUpPage } from './lms.js';

// Everything else is <teacher-hub>'s: it reads and sets the page's `#chat/…`, `#session/…` and `#call/…`
// links itself, and shares one client with every hub element inside it.
setUpPage('teacher');
