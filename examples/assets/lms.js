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
  for (const button of document.querySelectorAll('[data-lms-sign-out]')) {
    button.addEventListener('click', () => {
      signOut();
      location.assign('/');
    });
  }
  const tokenProvider = () => fetchHubToken(user.id);
  for (const element of document.querySelectorAll(HUB_TAGS.join(','))) element.tokenProvider = tokenProvider;
  return user;
}
