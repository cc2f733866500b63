/// <reference types="mocha" />
import { HubClient } from '@teacher-hub/core';
import type { Roster } from '@teacher-hub/core';
import { aTimeout, expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import {
  devToken,
  hubServer,
  withLargeClass,
  withTeacherWithoutCourses,
} from '../testing/hub-test-server.ts';
import type { StudentPicker } from './student-picker.ts';
import './student-picker.ts';

const ALGEBRA = ['s-01', 's-02', 's-03', 's-04', 's-05'];
const BIOLOGY = ['s-04', 's-05', 's-06', 's-07', 's-08'];

function shadow(picker: StudentPicker): ShadowRoot {
  return picker.shadowRoot!;
}

/** Resolves once the picker shows its roster, an empty or no-match message, or an error. */
async function settled(picker: StudentPicker): Promise<StudentPicker> {
  await waitUntil(
    () => shadow(picker).querySelector('[part="course"], [part="message"]'),
    'the picker did not finish loading',
    { timeout: 8000 },
  );
  await picker.updateComplete;
  return picker;
}

async function pickerFor(userId: string): Promise<StudentPicker> {
  const token = await devToken(userId);
  return settled(
    await fixture<StudentPicker>(
      html`<student-picker server=${hubServer()} token=${token}></student-picker>`,
    ),
  );
}

function courses(picker: StudentPicker): HTMLElement[] {
  return [...shadow(picker).querySelectorAll<HTMLElement>('[part="course"]')];
}

function courseNamed(picker: StudentPicker, name: string): HTMLElement {
  const course = courses(picker).find(
    (group) => group.querySelector('[part="course-name"]')?.textContent === name,
  );
  if (!course) throw new Error(`no course group named ${name}`);
  return course;
}

function idsIn(course: HTMLElement): string[] {
  return [...course.querySelectorAll<HTMLInputElement>('[part="option-checkbox"]')].map(
    (input) => input.dataset.id!,
  );
}

function courseCheckbox(course: HTMLElement): HTMLInputElement {
  return course.querySelector<HTMLInputElement>('[part="course-checkbox"]')!;
}

function optionCheckbox(course: HTMLElement, id: string): HTMLInputElement {
  return course.querySelector<HTMLInputElement>(`[part="option-checkbox"][data-id="${id}"]`)!;
}

function triState(input: HTMLInputElement): 'checked' | 'indeterminate' | 'unchecked' {
  return input.indeterminate ? 'indeterminate' : input.checked ? 'checked' : 'unchecked';
}

function searchField(picker: StudentPicker): HTMLInputElement {
  return shadow(picker).querySelector<HTMLInputElement>('[part="search"]')!;
}

async function search(picker: StudentPicker, text: string): Promise<void> {
  const field = searchField(picker);
  field.value = text;
  field.dispatchEvent(new Event('input', { bubbles: true }));
  await picker.updateComplete;
}

function countText(picker: StudentPicker): string {
  return shadow(picker).querySelector('[part="count"]')!.textContent!.trim();
}

/** Records the `change` events that reach the document (so they must bubble and be composed). */
function recordChanges(): { events: Event[]; stop: () => void } {
  const events: Event[] = [];
  const listener = (event: Event) => events.push(event);
  document.addEventListener('change', listener);
  return { events, stop: () => document.removeEventListener('change', listener) };
}

async function rosterOf(userId: string): Promise<Roster> {
  return new HubClient({ server: hubServer(), token: await devToken(userId) }).api.roster();
}

function focused(picker: StudentPicker): Element | null {
  return shadow(picker).activeElement;
}

describe('<student-picker>', () => {
  describe('grouping', () => {
    it("shows t-ada's students in her two courses, s-04 and s-05 under both", async () => {
      const picker = await pickerFor('t-ada');

      expect(
        courses(picker).map((course) => course.querySelector('[part="course-name"]')!.textContent),
      ).to.deep.equal(['Algebra I', 'Biology']);
      expect(idsIn(courseNamed(picker, 'Algebra I')).sort()).to.deep.equal(ALGEBRA);
      expect(idsIn(courseNamed(picker, 'Biology')).sort()).to.deep.equal(BIOLOGY);
      expect(picker.studentIds.sort()).to.deep.equal([
        's-01',
        's-02',
        's-03',
        's-04',
        's-05',
        's-06',
        's-07',
        's-08',
      ]);
      expect(shadow(picker).querySelector('[part="summary"]')!.textContent).to.contain(
        '8 students in 2 courses',
      );
    });

    it('shows nobody from courses the teacher does not teach', async () => {
      const picker = await pickerFor('t-grace');
      expect(courses(picker)).to.have.length(1);
      expect(idsIn(courseNamed(picker, 'World History')).sort()).to.deep.equal([
        's-08',
        's-09',
        's-10',
        's-11',
        's-12',
      ]);
    });

    it('selects a student in both courses at once and counts them once', async () => {
      const picker = await pickerFor('t-ada');
      optionCheckbox(courseNamed(picker, 'Algebra I'), 's-04').click();
      await picker.updateComplete;

      expect(optionCheckbox(courseNamed(picker, 'Biology'), 's-04').checked).to.equal(true);
      expect(picker.value).to.deep.equal(['s-04']);
      expect(countText(picker)).to.equal('1 selected');
      expect(courseNamed(picker, 'Biology').querySelector('[part="course-count"]')!.textContent).to.equal(
        '1 of 5 selected',
      );
    });

    it('lets several pickers on one client share one roster fetch', async () => {
      const token = await devToken('t-ada');
      const calls: string[] = [];
      const client = new HubClient({
        server: hubServer(),
        token,
        fetch: (input, init) => {
          calls.push(input);
          return fetch(input, init);
        },
      });
      const container = await fixture<HTMLDivElement>(html`
        <div>
          <student-picker .client=${client}></student-picker>
          <student-picker .client=${client}></student-picker>
        </div>
      `);
      const pickers = [...container.querySelectorAll('student-picker')];
      await Promise.all(pickers.map(settled));
      expect(pickers.map((picker) => courses(picker).length)).to.deep.equal([2, 2]);
      expect(calls.filter((url) => url.endsWith('/v1/roster'))).to.have.length(1);
    });
  });

  describe('search', () => {
    it('filters by name within the groups and hides groups left empty', async () => {
      const roster = await rosterOf('t-ada');
      const s01 = roster.courses
        .flatMap((course) => course.students)
        .find((student) => student.id === 's-01')!;
      const picker = await pickerFor('t-ada');

      await search(picker, s01.name.toUpperCase());

      expect(courses(picker)).to.have.length(1);
      expect(idsIn(courseNamed(picker, 'Algebra I'))).to.include('s-01');
      expect(idsIn(courseNamed(picker, 'Algebra I'))).not.to.include('s-02');
    });

    it('keeps a student who is in two courses under both when they match', async () => {
      const roster = await rosterOf('t-ada');
      const s04 = roster.courses
        .flatMap((course) => course.students)
        .find((student) => student.id === 's-04')!;
      const picker = await pickerFor('t-ada');

      await search(picker, s04.name);

      expect(courses(picker)).to.have.length(2);
      expect(idsIn(courseNamed(picker, 'Algebra I'))).to.include('s-04');
      expect(idsIn(courseNamed(picker, 'Biology'))).to.include('s-04');
    });

    it('says when nothing matches, and shows everyone again when the search is cleared', async () => {
      const picker = await pickerFor('t-ada');
      await search(picker, 'zzz-nobody');

      expect(courses(picker)).to.have.length(0);
      expect(shadow(picker).querySelector('[part="message"]')!.textContent).to.contain(
        'No students match “zzz-nobody”',
      );

      await search(picker, '');
      expect(courses(picker)).to.have.length(2);
    });
  });

  describe('selecting a whole course', () => {
    it('selects and clears a course, with a tri-state course checkbox', async () => {
      const picker = await pickerFor('t-ada');
      const algebra = courseNamed(picker, 'Algebra I');
      const biology = courseNamed(picker, 'Biology');
      expect(triState(courseCheckbox(algebra))).to.equal('unchecked');

      courseCheckbox(algebra).click();
      await picker.updateComplete;
      expect(triState(courseCheckbox(algebra))).to.equal('checked');
      expect([...picker.value].sort()).to.deep.equal(ALGEBRA);
      expect(triState(courseCheckbox(biology))).to.equal(
        'indeterminate',
        's-04 and s-05 are Biology students too',
      );
      expect(countText(picker)).to.equal('5 selected');

      optionCheckbox(algebra, 's-02').click();
      await picker.updateComplete;
      expect(triState(courseCheckbox(algebra))).to.equal('indeterminate');

      courseCheckbox(algebra).click();
      await picker.updateComplete;
      expect(triState(courseCheckbox(algebra))).to.equal(
        'checked',
        'an indeterminate course checkbox selects the rest',
      );

      courseCheckbox(biology).click();
      await picker.updateComplete;
      expect(picker.value).to.have.length(8);
      expect(countText(picker)).to.equal('8 selected');

      courseCheckbox(algebra).click();
      await picker.updateComplete;
      expect(triState(courseCheckbox(algebra))).to.equal('unchecked');
      expect([...picker.value].sort()).to.deep.equal(['s-06', 's-07', 's-08']);
      expect(triState(courseCheckbox(biology))).to.equal('indeterminate');
    });

    it('acts only on the matching students while a search is active', async () => {
      const roster = await rosterOf('t-ada');
      const s03 = roster.courses
        .flatMap((course) => course.students)
        .find((student) => student.id === 's-03')!;
      const picker = await pickerFor('t-ada');
      await search(picker, s03.name);

      courseCheckbox(courseNamed(picker, 'Algebra I')).click();
      await picker.updateComplete;

      expect(picker.value).to.deep.equal(['s-03']);
    });

    it('empties the selection with the Clear button', async () => {
      const picker = await pickerFor('t-ada');
      picker.value = ['s-01', 's-06'];
      await picker.updateComplete;
      const changes = recordChanges();
      shadow(picker).querySelector<HTMLButtonElement>('[part="clear-button"]')!.click();
      await picker.updateComplete;
      changes.stop();
      expect(picker.value).to.deep.equal([]);
      expect(changes.events).to.have.length(1);
    });
  });

  describe('keyboard', () => {
    async function pickerBetweenButtons(): Promise<{
      picker: StudentPicker;
      before: HTMLElement;
      after: HTMLElement;
    }> {
      const token = await devToken('t-ada');
      const container = await fixture<HTMLDivElement>(html`
        <div>
          <button id="before">before</button>
          <student-picker server=${hubServer()} token=${token}></student-picker>
          <button id="after">after</button>
        </div>
      `);
      const picker = await settled(container.querySelector('student-picker')!);
      return {
        picker,
        before: container.querySelector<HTMLElement>('#before')!,
        after: container.querySelector<HTMLElement>('#after')!,
      };
    }

    it('reaches the search with Tab, the list as one more tab stop, then leaves', async () => {
      const { picker, before, after } = await pickerBetweenButtons();
      before.focus();

      await sendKeys({ press: 'Tab' });
      expect(focused(picker)).to.equal(searchField(picker));

      await sendKeys({ press: 'Tab' });
      expect(focused(picker)).to.equal(courseCheckbox(courseNamed(picker, 'Algebra I')));

      await sendKeys({ press: 'Tab' });
      expect(document.activeElement).to.equal(after);
    });

    it('moves with the arrow keys, toggles with Space, and shows where focus is', async () => {
      const { picker } = await pickerBetweenButtons();
      searchField(picker).focus();
      const changes = recordChanges();

      await sendKeys({ press: 'ArrowDown' });
      const algebra = courseNamed(picker, 'Algebra I');
      expect(focused(picker)).to.equal(courseCheckbox(algebra));

      await sendKeys({ press: 'ArrowDown' });
      const first = focused(picker) as HTMLInputElement;
      expect(first.getAttribute('part')).to.equal('option-checkbox');
      expect(first.matches(':focus-visible')).to.equal(true);
      expect(getComputedStyle(first).outlineStyle).to.equal('solid');

      await sendKeys({ press: 'Space' });
      await picker.updateComplete;
      expect(picker.value).to.deep.equal([first.dataset.id]);
      expect(changes.events).to.have.length(1);

      await sendKeys({ press: 'ArrowDown' });
      expect(focused(picker)).not.to.equal(first);
      await sendKeys({ press: 'ArrowUp' });
      expect(focused(picker)).to.equal(first);
      changes.stop();
    });

    it('toggles a whole course from its checkbox with Space', async () => {
      const { picker } = await pickerBetweenButtons();
      searchField(picker).focus();
      await sendKeys({ press: 'ArrowDown' });
      await sendKeys({ press: 'Space' });
      await picker.updateComplete;
      expect([...picker.value].sort()).to.deep.equal(ALGEBRA);
    });

    it('jumps between courses with Page Down / Page Up, to the ends with Home / End, and back up to the search', async () => {
      const { picker } = await pickerBetweenButtons();
      searchField(picker).focus();
      await sendKeys({ press: 'ArrowDown' });

      await sendKeys({ press: 'PageDown' });
      expect(focused(picker)).to.equal(courseCheckbox(courseNamed(picker, 'Biology')));
      await sendKeys({ press: 'PageUp' });
      expect(focused(picker)).to.equal(courseCheckbox(courseNamed(picker, 'Algebra I')));

      await sendKeys({ press: 'End' });
      const options = courseNamed(picker, 'Biology').querySelectorAll('[part="option-checkbox"]');
      expect(focused(picker)).to.equal(options[options.length - 1]);
      await sendKeys({ press: 'Home' });
      expect(focused(picker)).to.equal(courseCheckbox(courseNamed(picker, 'Algebra I')));

      await sendKeys({ press: 'ArrowUp' });
      expect(focused(picker)).to.equal(searchField(picker));
    });

    it('remembers the last focused item as the tab stop', async () => {
      const { picker, before } = await pickerBetweenButtons();
      searchField(picker).focus();
      await sendKeys({ press: 'ArrowDown' });
      await sendKeys({ press: 'ArrowDown' });
      await sendKeys({ press: 'ArrowDown' });
      const remembered = focused(picker);
      before.focus();
      await sendKeys({ press: 'Tab' });
      await sendKeys({ press: 'Tab' });
      expect(focused(picker)).to.equal(remembered);
    });

    it('clears the search with Escape', async () => {
      const { picker } = await pickerBetweenButtons();
      searchField(picker).focus();
      await sendKeys({ type: 'zzz' });
      await picker.updateComplete;
      expect(courses(picker)).to.have.length(0);
      await sendKeys({ press: 'Escape' });
      await picker.updateComplete;
      expect(searchField(picker).value).to.equal('');
      expect(courses(picker)).to.have.length(2);
    });
  });

  describe('value and change', () => {
    it('fires change (bubbling, composed) and hub-selection-change on user input', async () => {
      const picker = await pickerFor('t-ada');
      const selectionChange = oneEvent(picker, 'hub-selection-change');
      const changes = recordChanges();

      optionCheckbox(courseNamed(picker, 'Biology'), 's-06').click();

      const event = await selectionChange;
      changes.stop();
      expect(event.detail.value).to.deep.equal(['s-06']);
      expect(changes.events).to.have.length(1);
      expect(changes.events[0]!.target).to.equal(
        picker,
        'the inner checkbox change does not leak out as well',
      );
      expect(changes.events[0]!.bubbles && changes.events[0]!.composed).to.equal(true);
    });

    it('shows a value set from outside without firing change', async () => {
      const picker = await pickerFor('t-ada');
      const changes = recordChanges();
      let hubEvents = 0;
      picker.addEventListener('hub-selection-change', () => hubEvents++);

      picker.value = ['s-01', 's-04'];
      await picker.updateComplete;
      await aTimeout(20);
      changes.stop();

      expect(changes.events).to.have.length(0);
      expect(hubEvents).to.equal(0);
      const algebra = courseNamed(picker, 'Algebra I');
      const biology = courseNamed(picker, 'Biology');
      expect(optionCheckbox(algebra, 's-01').checked).to.equal(true);
      expect(optionCheckbox(biology, 's-04').checked).to.equal(true);
      expect(triState(courseCheckbox(algebra))).to.equal('indeterminate');
      expect(countText(picker)).to.equal('2 selected');
    });

    it('reads an initial selection from the value attribute', async () => {
      const token = await devToken('t-ada');
      const picker = await settled(
        await fixture<StudentPicker>(
          html`<student-picker server=${hubServer()} token=${token} value="s-02, s-07"></student-picker>`,
        ),
      );
      expect(picker.value).to.deep.equal(['s-02', 's-07']);
      expect(optionCheckbox(courseNamed(picker, 'Biology'), 's-07').checked).to.equal(true);
    });

    it('submits the selection with its form under its name', async () => {
      const token = await devToken('t-ada');
      const form = await fixture<HTMLFormElement>(html`
        <form><student-picker name="invitees" server=${hubServer()} token=${token}></student-picker></form>
      `);
      const picker = await settled(form.querySelector('student-picker')!);
      optionCheckbox(courseNamed(picker, 'Algebra I'), 's-03').click();
      optionCheckbox(courseNamed(picker, 'Biology'), 's-08').click();
      await picker.updateComplete;

      expect(new FormData(form).getAll('invitees')).to.deep.equal(['s-03', 's-08']);
      form.reset();
      await picker.updateComplete;
      expect(picker.value).to.deep.equal([]);
    });
  });

  describe('states', () => {
    it('shows a skeleton while the token is not there yet, without moving the header', async () => {
      let provide: (token: string) => void = () => undefined;
      const pending = new Promise<string>((resolve) => (provide = resolve));
      const picker = await fixture<StudentPicker>(
        html`<student-picker server=${hubServer()} .tokenProvider=${() => pending}></student-picker>`,
      );
      const list = shadow(picker).querySelector('[part="list"]')!;
      const headerHeight = shadow(picker).querySelector<HTMLElement>('[part="header"]')!.offsetHeight;

      expect(shadow(picker).querySelector('[part="skeleton"]')).not.to.equal(null);
      expect(list.getAttribute('aria-busy')).to.equal('true');
      expect(searchField(picker).disabled).to.equal(true);
      await expect(picker).to.be.accessible();

      provide(await devToken('t-ada'));
      await settled(picker);
      expect(shadow(picker).querySelector('[part="skeleton"]')).to.equal(null);
      expect(list.getAttribute('aria-busy')).to.equal('false');
      expect(courses(picker)).to.have.length(2);
      expect(shadow(picker).querySelector<HTMLElement>('[part="header"]')!.offsetHeight).to.equal(
        headerHeight,
      );
    });

    it('says so when no students are enrolled in the teacher’s courses', async () => {
      await withTeacherWithoutCourses(async (teacher) => {
        const picker = await settled(
          await fixture<StudentPicker>(
            html`<student-picker server=${hubServer()} token=${teacher.token}></student-picker>`,
          ),
        );
        expect(shadow(picker).querySelector('[part="message"]')!.textContent).to.contain(
          'No students enrolled in your courses',
        );
        expect(searchField(picker).disabled).to.equal(true);
        await expect(picker).to.be.accessible();
      });
    });

    it('shows an error with Retry when the hub refuses the token, and loads on Retry with a good one', async () => {
      const good = await devToken('t-ada');
      const issued: string[] = [];
      const tokens = ['not-a-token', 'still-not-a-token', good];
      const picker = await settled(
        await fixture<StudentPicker>(
          html`<student-picker
            server=${hubServer()}
            .tokenProvider=${async () => {
              const token = tokens.shift() ?? good;
              issued.push(token);
              return token;
            }}
          ></student-picker>`,
        ),
      );

      const alert = shadow(picker).querySelector('[part="message"][role="alert"]')!;
      expect(alert.textContent).to.contain('Couldn’t load your students');
      expect(alert.textContent).to.contain('did not accept your sign-in');
      expect(issued).to.deep.equal(['not-a-token', 'still-not-a-token'], 'one refresh after the first 401');
      await expect(picker).to.be.accessible();

      shadow(picker).querySelector<HTMLButtonElement>('[part="retry-button"]')!.click();
      await waitUntil(() => courses(picker).length === 2, 'Retry did not load the roster', { timeout: 8000 });
      expect(issued).to.deep.equal(['not-a-token', 'still-not-a-token', good]);
    });

    it('loads again with a new client when the token attribute changes', async () => {
      const picker = await pickerFor('t-grace');
      expect(courses(picker)).to.have.length(1);
      picker.token = await devToken('t-ada');
      await waitUntil(() => courses(picker).length === 2, 'did not reload for the new token', {
        timeout: 8000,
      });
    });
  });

  describe('accessibility', () => {
    it('passes axe with the roster loaded and a selection', async () => {
      const picker = await pickerFor('t-ada');
      picker.value = ['s-01', 's-04'];
      await picker.updateComplete;
      await expect(picker).to.be.accessible();
    });

    it('labels each course group with the course name and announces the count politely', async () => {
      const picker = await pickerFor('t-ada');
      for (const course of courses(picker)) {
        expect(course.getAttribute('role')).to.equal('group');
        const label = shadow(picker).getElementById(course.getAttribute('aria-labelledby')!);
        expect(label?.textContent).to.equal(course.querySelector('[part="course-name"]')!.textContent);
      }
      const count = shadow(picker).querySelector('[part="count"]')!;
      expect(count.getAttribute('role')).to.equal('status');
      expect(count.textContent!.trim()).to.equal('None selected');
      optionCheckbox(courseNamed(picker, 'Algebra I'), 's-01').click();
      optionCheckbox(courseNamed(picker, 'Algebra I'), 's-02').click();
      await picker.updateComplete;
      expect(count.textContent!.trim()).to.equal('2 selected');
    });

    it('names the search field and the whole picker', async () => {
      const picker = await pickerFor('t-ada');
      expect(searchField(picker).getAttribute('aria-label')).to.equal('Search students');
      expect(shadow(picker).querySelector('[part="base"]')!.getAttribute('aria-label')).to.equal('Students');
    });
  });

  describe('a large roster', () => {
    it('renders 1,200 students in 4 courses and toggles one without re-rendering slowly', async () => {
      await withLargeClass(4, 300, async (teacher) => {
        const picker = await settled(
          await fixture<StudentPicker>(
            html`<student-picker server=${hubServer()} token=${teacher.token}></student-picker>`,
          ),
        );
        expect(picker.studentIds).to.have.length(teacher.studentCount);
        const first = shadow(picker).querySelector<HTMLInputElement>('[part="option-checkbox"]')!;

        const started = performance.now();
        first.click();
        await picker.updateComplete;
        const toggleMs = performance.now() - started;

        expect(picker.value).to.deep.equal([first.dataset.id]);
        // A generous bound that still catches accidental O(n²) work or re-creating every row.
        expect(toggleMs).to.be.below(250);

        await search(picker, 'Student 1199');
        expect(courses(picker)).to.have.length(1);
        expect(idsIn(courses(picker)[0]!)).to.have.length(1);
      });
    });
  });

  describe('disabled', () => {
    it('keeps the selection visible but takes no input', async () => {
      const picker = await pickerFor('t-ada');
      picker.value = ['s-01'];
      picker.disabled = true;
      await picker.updateComplete;
      const changes = recordChanges();

      const s02 = optionCheckbox(courseNamed(picker, 'Algebra I'), 's-02');
      expect(s02.disabled).to.equal(true);
      s02.click();
      courseCheckbox(courseNamed(picker, 'Biology')).click();
      await picker.updateComplete;
      changes.stop();

      expect(picker.value).to.deep.equal(['s-01']);
      expect(changes.events).to.have.length(0);
      expect(searchField(picker).disabled).to.equal(true);
      expect(optionCheckbox(courseNamed(picker, 'Algebra I'), 's-01').checked).to.equal(true);
    });
  });

  describe('styling', () => {
    it('keeps host-page CSS out', async () => {
      const style = document.createElement('style');
      style.textContent = `
        button { color: rgb(255, 0, 0) !important; }
        input[type='checkbox'] { display: none !important; }
        label, span { font-size: 40px !important; }
        student-picker { color: rgb(255, 0, 0); text-transform: uppercase; letter-spacing: 9px; }
      `;
      document.head.append(style);
      try {
        const picker = await pickerFor('t-ada');
        picker.value = ['s-01'];
        await picker.updateComplete;
        const clear = shadow(picker).querySelector<HTMLButtonElement>('[part="clear-button"]')!;
        const checkbox = optionCheckbox(courseNamed(picker, 'Algebra I'), 's-01');
        const name = courseNamed(picker, 'Algebra I').querySelector<HTMLElement>('[part="option-label"]')!;

        expect(getComputedStyle(clear).color).not.to.equal('rgb(255, 0, 0)');
        expect(getComputedStyle(checkbox).display).not.to.equal('none');
        expect(getComputedStyle(name).fontSize).not.to.equal('40px');
        expect(getComputedStyle(name).color).not.to.equal('rgb(255, 0, 0)');
        expect(getComputedStyle(name).textTransform).to.equal('none');
        expect(getComputedStyle(name).letterSpacing).to.equal('normal');
      } finally {
        style.remove();
      }
    });

    it('takes appearance from --hub-* tokens and its own --hub-student-picker-* properties', async () => {
      const picker = await pickerFor('t-ada');
      picker.style.setProperty('--hub-color-accent', 'rgb(0, 128, 0)');
      picker.value = ['s-01'];
      await picker.updateComplete;
      const checkbox = optionCheckbox(courseNamed(picker, 'Algebra I'), 's-01');
      await aTimeout(200); // past the checkbox's color transition
      expect(getComputedStyle(checkbox).backgroundColor).to.equal('rgb(0, 128, 0)');

      picker.style.setProperty('--hub-student-picker-accent', 'rgb(0, 0, 128)');
      await aTimeout(200);
      expect(getComputedStyle(checkbox).backgroundColor).to.equal('rgb(0, 0, 128)');
    });

    it('switches to the dark theme with theme="dark"', async () => {
      const picker = await pickerFor('t-ada');
      const base = shadow(picker).querySelector<HTMLElement>('[part="base"]')!;
      const light = getComputedStyle(base).backgroundColor;
      picker.theme = 'dark';
      await picker.updateComplete;
      expect(picker.getAttribute('theme')).to.equal('dark');
      expect(getComputedStyle(base).backgroundColor).not.to.equal(light);
      await expect(picker).to.be.accessible();
    });
  });
});
