import { Task } from '@lit/task';
import { rosterPeople } from '@teacher-hub/core';
import type { HubClient, Me, Person } from '@teacher-hub/core';
import { LitElement, html, nothing } from 'lit';
import type { CSSResultGroup, TemplateResult } from 'lit';
import { css } from 'lit';
import { property, state } from 'lit/decorators.js';
import { define } from '../base/define.ts';
import { reset, tokens } from '../styles/tokens.ts';
import type { Theme } from '../styles/tokens.ts';
import type { StudentPicker } from '../student-picker/student-picker.ts';

/**
 * `<hub-chat>`'s "new chat" view, loaded when first asked for. Teachers make a group (name and
 * `<student-picker>`) or open a direct chat with one student; students message one of their teachers.
 * Fires `created` (`detail.chatId`) with the chat to open, or `cancel`.
 *
 * @internal
 */
export class HubChatNew extends LitElement {
  static override styles: CSSResultGroup = [
    tokens,
    reset,
    css`
      :host {
        display: block;
        overflow-y: auto;
        min-height: 0;
      }
      .form {
        display: grid;
        gap: var(--_hub-space-3);
        padding: var(--_hub-space-4);
      }
      h2,
      h3 {
        margin: 0;
        font-size: 1rem;
      }
      fieldset {
        display: grid;
        gap: var(--_hub-space-2);
        border: 1px solid var(--_hub-color-border);
        border-radius: var(--_hub-radius-small);
        padding: var(--_hub-space-3);
        margin: 0;
      }
      input,
      select {
        min-height: var(--_hub-control-height);
        padding: 0 var(--_hub-space-2);
        border: 1px solid var(--_hub-color-border-strong);
        border-radius: var(--_hub-radius-small);
        background: var(--_hub-color-surface);
      }
      button {
        justify-self: start;
        min-height: var(--_hub-control-height);
        padding: 0 var(--_hub-space-3);
        border: 1px solid var(--_hub-color-border-strong);
        border-radius: var(--_hub-radius-small);
        background: var(--_hub-color-surface);
      }
      .primary {
        background: var(--_hub-color-accent);
        border-color: var(--_hub-color-accent);
        color: var(--_hub-color-accent-contrast);
      }
      .error {
        color: var(--_hub-color-danger);
        margin: 0;
      }
      .head {
        display: flex;
        justify-content: space-between;
        align-items: center;
      }
    `,
  ];

  @property({ attribute: false }) client?: HubClient;
  @property({ reflect: true }) theme?: Theme;

  @state() private error = '';
  @state() private busy = false;

  readonly #whoTask = new Task(this, {
    task: async ([client]) => {
      if (!client) return undefined;
      const [me, roster] = await Promise.all([client.api.me(), client.roster.load()]);
      return { me, people: rosterPeople(roster) };
    },
    args: () => [this.client] as const,
  });

  override render(): TemplateResult {
    return html`<div class="hub-root form">
      <div class="head">
        <h2>New chat</h2>
        <button type="button" @click=${() => this.dispatchEvent(new Event('cancel'))}>Cancel</button>
      </div>
      ${this.#whoTask.render({
        pending: () => html`<p role="status">Loading…</p>`,
        error: () => html`<p class="error" role="alert">Could not load your courses.</p>`,
        complete: (who) => (who ? this.#renderForms(who.me, who.people) : nothing),
      })}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
    </div>`;
  }

  #renderForms(me: Me, people: Person[]): TemplateResult {
    const teacher = me.user.role === 'teacher';
    const direct = html`<form @submit=${this.#openDirect}>
      <fieldset>
        <legend>${teacher ? 'Message one student' : 'Message my teacher'}</legend>
        <label for="direct-person">${teacher ? 'Student' : 'Teacher'}</label>
        <select id="direct-person" name="person" required>
          ${people.map((person) => html`<option value=${person.id}>${person.name}</option>`)}
        </select>
        <button class="${teacher ? '' : 'primary'}" ?disabled=${this.busy || people.length === 0}>
          Open chat
        </button>
      </fieldset>
    </form>`;
    if (!teacher) return direct;
    return html`<form @submit=${this.#createGroup}>
        <fieldset>
          <legend>Group chat</legend>
          <label for="group-name">Name</label>
          <input id="group-name" name="name" required maxlength="100" autocomplete="off" />
          <student-picker .client=${this.client} label="Members"></student-picker>
          <button class="primary" ?disabled=${this.busy}>Create group</button>
        </fieldset>
      </form>
      ${direct}`;
  }

  async #createGroup(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const name = (form.elements.namedItem('name') as HTMLInputElement).value.trim();
    const memberIds = form.querySelector<StudentPicker>('student-picker')?.value ?? [];
    if (memberIds.length === 0) {
      this.error = 'Choose at least one student.';
      return;
    }
    await this.#create(() => this.client!.chat.createGroup(name, memberIds));
  }

  async #openDirect(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const userId = (form.elements.namedItem('person') as HTMLSelectElement).value;
    await this.#create(() => this.client!.chat.openDirect(userId));
  }

  async #create(make: () => Promise<{ id: string }>): Promise<void> {
    if (!this.client) return;
    this.busy = true;
    this.error = '';
    try {
      const chat = await make();
      this.dispatchEvent(new CustomEvent('created', { detail: { chatId: chat.id } }));
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    } finally {
      this.busy = false;
    }
  }
}

define('hub-chat-new', HubChatNew);

declare global {
  interface HTMLElementTagNameMap {
    'hub-chat-new': HubChatNew;
  }
}
