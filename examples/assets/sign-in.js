import { signIn, signOut } from './lms.js';

signOut();
const teachers = document.querySelector('#teachers');
const students = document.querySelector('#students');
const status = document.querySelector('#status');

try {
  const response = await fetch('/v1/dev/users');
  if (!response.ok) throw new Error(`GET /v1/dev/users answered ${response.status}`);
  const { users } = await response.json();
  for (const user of users) {
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset.userId = user.id;
    const who = document.createElement('span');
    who.className = 'lms-who';
    who.textContent = user.name;
    const detail = document.createElement('span');
    detail.className = 'lms-muted';
    detail.textContent = `${user.id} · ${user.email ?? ''}`;
    button.append(who, detail);
    button.addEventListener('click', () => {
      signIn({ id: user.id, name: user.name, role: user.role });
      location.assign(user.role === 'teacher' ? '/teacher.html' : '/student.html');
    });
    item.append(button);
    if (user.role === 'student') {
      // The same dashboard inside a second host page (Bootstrap 5 and aggressive global CSS).
      const bootstrap = document.createElement('a');
      bootstrap.href = '/bootstrap.html';
      bootstrap.textContent = 'Dashboard (Bootstrap host)';
      bootstrap.setAttribute('aria-label', `${user.name}: dashboard in the Bootstrap host page`);
      Object.assign(bootstrap.style, {
        display: 'inline-block',
        margin: '0.35rem 0 0 1rem',
        fontSize: '0.85rem',
      });
      bootstrap.addEventListener('click', () => signIn({ id: user.id, name: user.name, role: user.role }));
      item.append(bootstrap);
    }
    (user.role === 'teacher' ? teachers : students).append(item);
  }
  status.textContent = '';
} catch (error) {
  status.textContent = `The demo directory could not be loaded: ${error.message}. Is the hub running in dev mode?`;
}
