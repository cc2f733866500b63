// The demo host LMS's own script. It does what any host does to embed Teacher Hub: know who is signed in,
// and give the hub elements a way to get a fresh hub token for that user (here the hub's dev-mode token
// route; a real LMS points `token-url` at its own backend, see README "Embedding").

const USER_KEY = 'teacher-hub-demo:user';

/** The signed-in demo user, kept per browser tab so two tabs can be two people. */
export function currentUser() {
  try {
    return JSON.parse(sessionStorage.getItem(USER_KEY) ?? 'null');
  } catch {
    return null;
  }
}

export function signIn(user) {
  sessionStorage.setItem(USER_KEY, JSON.stringify(user));
}

export function signOut() {
  sessionStorage.removeItem(USER_KEY);
}

/** What the host passes to every hub element: a function that returns a fresh hub token. */
export async function fetchHubToken(userId) {
  const response = await fetch('/v1/dev/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId }),
  });
  if (!response.ok) throw new Error(`The demo could not get a hub token (${response.status}).`);
  const { token } = await response.json();
  return token;
}

const HUB_TAGS = [
  'teacher-hub',
  'student-picker',
  'session-calendar',
  'session-scheduler',
  'upcoming-sessions',
  'hub-chat',
  'call-overlay',
  'notification-center',
];

/** Guards a page for one role, fills in the header, and hands every hub element its token provider. */
export function setUpPage(role) {
  const user = currentUser();
  if (!user || (role && user.role !== role)) {
    location.replace('/');
    return null;
  }
  for (const slot of document.querySelectorAll('[data-lms-user-name]')) slot.textContent = user.name;
  const hubElements = [...document.querySelectorAll(HUB_TAGS.join(','))];
  for (const button of document.querySelectorAll('[data-lms-sign-out]')) {
    button.addEventListener('click', async () => {
      // The hub's client keeps the user's last roster, chats, sessions and notifications in IndexedDB so
      // the next visit paints at once; a host clears it when the user signs out.
      await Promise.all(hubElements.map((element) => element.client?.clearCache().catch(() => undefined)));
      signOut();
      location.assign('/');
    });
  }
  setUpTheme(hubElements);
  const tokenProvider = () => fetchHubToken(user.id);
  for (const element of hubElements) element.tokenProvider = tokenProvider;
  return user;
}

const THEME_KEY = 'teacher-hub-demo:theme';

/**
 * The header's dark-mode switch: the LMS darkens its own chrome (`lms-dark` on <html>) and sets each hub
 * element's `theme` attribute; the hub's dark tokens do the rest, and lms.css sets a lighter brand accent.
 */
function setUpTheme(hubElements) {
  const apply = (dark) => {
    document.documentElement.classList.toggle('lms-dark', dark);
    for (const element of hubElements) element.setAttribute('theme', dark ? 'dark' : 'light');
    for (const button of document.querySelectorAll('[data-lms-theme]')) {
      button.setAttribute('aria-pressed', String(dark));
    }
  };
  apply(localStorage.getItem(THEME_KEY) === 'dark');
  for (const button of document.querySelectorAll('[data-lms-theme]')) {
    button.addEventListener('click', () => {
      const dark = !document.documentElement.classList.contains('lms-dark');
      localStorage.setItem(THEME_KEY, dark ? 'dark' : 'light');
      apply(dark);
    });
  }
}
