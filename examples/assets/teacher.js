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
