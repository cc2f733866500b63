import type { Call } from '@teacher-hub/protocol';
import { LitElement, html, nothing } from 'lit';
import type { CSSResultGroup, PropertyValues, TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { styleMap } from 'lit/directives/style-map.js';
import { define } from '../base/define.ts';
import { describeError } from '../base/describe-error.ts';
import { emit } from '../events/hub-events.ts';
import { reset, tokens } from '../styles/tokens.ts';
import type { Theme } from '../styles/tokens.ts';
import { hangUpIcon } from './call-icons.ts';
import {
  cameraIcon,
  cameraOffIcon,
  closeIcon,
  endForAllIcon,
  microphoneIcon,
  microphoneOffIcon,
  minimiseIcon,
  restoreIcon,
  screenIcon,
} from './call-view-icons.ts';
import { explainCallError } from './call-error-text.ts';
import { hueOf, initials } from './call-format.ts';
import type { ActiveCall, CallError, CallParticipant, CallsApi } from './calls-client.ts';
import styles from './call-view.styles.ts';

type Control = 'microphone' | 'camera' | 'screen' | 'leave' | 'end';

/** One `MediaStream` per track, so re-renders hand a `<video>` the same `srcObject` and it keeps playing. */
const streams = new WeakMap<MediaStreamTrack, MediaStream>();
function streamOf(track: MediaStreamTrack): MediaStream {
  let stream = streams.get(track);
  if (!stream) {
    stream = new MediaStream([track]);
    streams.set(track, stream);
  }
  return stream;
}

const CONNECTION_TEXT: Partial<Record<ActiveCall['connection'], string>> = {
  joining: 'Connecting…',
  reconnecting: 'Reconnecting…',
  failed: 'The connection failed. Leave and join again.',
};

/**
 * The call view of `<call-overlay>`: tiles, controls, errors and the minimised tile. Internal: loaded
 * (and defined) by `<call-overlay>` with the first call, so that rings alone do not carry it. Fires
 * `minimise-change` when the user minimises or restores it, and `close` when the user closes a call whose
 * connection failed (there is nothing left to leave); the `hub-call-*` intents bubble out of the overlay.
 *
 * @internal
 */
export class HubCallView extends LitElement {
  static override styles: CSSResultGroup = [tokens, reset, styles];

  @property({ attribute: false }) active?: ActiveCall;
  /** The hub's call (members, who started it, the chat's name), once known. */
  @property({ attribute: false }) call?: Call | undefined;
  @property({ attribute: false }) calls?: CallsApi | undefined;
  @property({ type: Boolean, reflect: true }) minimised = false;
  @property({ reflect: true }) theme?: Theme;

  @state() private confirmingEnd = false;
  @state() private busy: Control | undefined;
  /** The error the user dismissed (a new one shows again). */
  @state() private dismissedError: CallError | null = null;
  /** A failure of one of the controls, in words. */
  @state() private actionError = '';

  protected override firstUpdated(): void {
    if (!this.minimised) this.#focus('[part~="control"]');
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    if (changed.has('minimised') && changed.get('minimised') !== undefined) {
      this.#focus(this.minimised ? '.restore' : '.minimise');
    }
  }

  #focus(selector: string): void {
    this.renderRoot.querySelector<HTMLElement>(selector)?.focus();
  }

  get #local(): CallParticipant | undefined {
    return this.active?.participants.find((participant) => participant.isLocal);
  }

  /**
   * The teacher who started the call (or any teacher in it) may end it for everyone; a scheduled
   * session's occurrence only its owner.
   */
  get #canEnd(): boolean {
    const local = this.#local;
    if (!local) return false;
    const session = this.active?.session;
    if (session) return local.userId === session.ownerId;
    return local.role === 'teacher' || local.userId === this.call?.startedBy;
  }

  /** What the call is called: a session's title, else the chat's name. */
  get #name(): string | undefined {
    return this.active?.session?.title ?? this.call?.chatName ?? undefined;
  }

  override render(): TemplateResult {
    const active = this.active;
    if (!active) return html``;
    return html`${this.minimised ? this.#renderMinimised(active) : this.#renderFull(active)}
    ${this.#renderAudio(active)}`;
  }

  // ── Full view ─────────────────────────────────────────────────────────────────────────────────────

  #renderFull(active: ActiveCall): TemplateResult {
    const name = this.#name;
    const title = active.session ? `Session · ${name}` : name ? `Call · ${name}` : 'Call';
    const connection = CONNECTION_TEXT[active.connection];
    const people = active.participants.length;
    return html`
      <section
        class="hub-root call"
        part="call"
        role="dialog"
        aria-label=${title}
        @keydown=${this.#onKeydown}
      >
        <header class="bar">
          <h2 class="title">${title}</h2>
          <span class="count">${people === 1 ? '1 person' : `${people} people`}</span>
          <span class="connection" role="status">${connection ?? ''}</span>
          <button class="minimise" @click=${() => this.#setMinimised(true)}>
            ${minimiseIcon}<span>Minimise</span>
          </button>
        </header>
        ${this.#renderError(active)} ${this.#renderStage(active)} ${this.#renderControls(active)}
      </section>
    `;
  }

  #renderError(active: ActiveCall): TemplateResult | typeof nothing {
    const error = active.error && active.error !== this.dismissedError ? active.error : null;
    if (!error && !this.actionError) return nothing;
    const explained = error ? explainCallError(error) : { title: this.actionError, advice: '' };
    return html`<div class="error" part="error" role="alert">
      <div class="error-text">
        <strong>${explained.title}</strong>
        ${explained.advice ? html`<span>${explained.advice}</span>` : nothing}
      </div>
      <button
        class="dismiss"
        aria-label="Dismiss"
        @click=${() => {
          this.dismissedError = active.error;
          this.actionError = '';
        }}
      >
        ${closeIcon}
      </button>
    </div>`;
  }

  #renderStage(active: ActiveCall): TemplateResult {
    const sharer = active.participants.find((participant) => participant.screen && participant.screenTrack);
    if (sharer) {
      return html`<div class="stage sharing" part="stage">
        <figure class="screen" part="screen">
          <video
            autoplay
            playsinline
            muted
            .muted=${true}
            .srcObject=${streamOf(sharer.screenTrack!)}
            aria-label="${sharer.isLocal ? 'Your' : `${sharer.name}’s`} shared screen"
          ></video>
          <figcaption class="name">
            ${sharer.isLocal ? 'You are sharing your screen' : `${sharer.name} is sharing their screen`}
          </figcaption>
        </figure>
        <ul class="strip" role="list">
          ${repeat(
            active.participants,
            (participant) => participant.id,
            (participant) => html`<li>${this.#renderTile(participant)}</li>`,
          )}
        </ul>
      </div>`;
    }
    const count = active.participants.length;
    const columns = count <= 1 ? 1 : count <= 4 ? 2 : 3;
    return html`<ul
      class="stage grid"
      part="stage"
      role="list"
      style=${styleMap({ '--_columns': String(columns) })}
    >
      ${repeat(
        active.participants,
        (participant) => participant.id,
        (participant) => html`<li>${this.#renderTile(participant)}</li>`,
      )}
    </ul>`;
  }

  #renderTile(participant: CallParticipant): TemplateResult {
    const name = participant.isLocal ? `${participant.name} (you)` : participant.name;
    const track = participant.video ? participant.videoTrack : null;
    return html`<figure
      class="tile ${participant.isLocal ? 'local' : ''}"
      part="tile"
      data-peer=${participant.id}
    >
      ${
        track
          ? html`<video
              autoplay
              playsinline
              muted
              .muted=${true}
              .srcObject=${streamOf(track)}
              aria-hidden="true"
            ></video>`
          : html`<span
              class="avatar"
              part="avatar"
              style=${styleMap({ '--_hue': String(hueOf(participant.userId)) })}
              aria-hidden="true"
              >${initials(participant.name)}</span
            >`
      }
      <figcaption class="name" part="tile-name">
        ${
          participant.audio
            ? nothing
            : html`<span class="mute-mark" part="mute-mark" role="img" aria-label="Microphone off"
                >${microphoneOffIcon}</span
              >`
        }
        <span>${name}</span>
        ${participant.video ? nothing : html`<span class="visually-hidden">, camera off</span>`}
      </figcaption>
    </figure>`;
  }

  #renderControls(active: ActiveCall): TemplateResult {
    const { media } = active;
    const toggle = (control: 'microphone' | 'camera' | 'screen', on: boolean, label: string, icon: unknown) =>
      html`<button
        class="control toggle toggle-${control} ${on ? 'on' : 'off'}"
        part="control"
        aria-pressed=${on ? 'true' : 'false'}
        ?disabled=${this.busy === control}
        @click=${() => this.#toggle(control, !on)}
      >
        ${icon}<span>${label}</span>
      </button>`;
    if (this.confirmingEnd) {
      return html`<div class="controls confirm" part="controls" role="group" aria-labelledby="confirm-end">
        <p id="confirm-end" class="confirm-text">
          End the ${this.active?.session ? 'session' : 'call'} for everyone?
        </p>
        <button class="control" part="control" @click=${() => (this.confirmingEnd = false)}>
          <span>Cancel</span>
        </button>
        <button
          class="control danger"
          part="control end"
          ?disabled=${this.busy === 'end'}
          @click=${this.#end}
        >
          ${hangUpIcon}<span
            >${this.busy === 'end' ? 'Ending…' : this.active?.session ? 'End session' : 'End call'}</span
          >
        </button>
      </div>`;
    }
    return html`<div class="controls" part="controls" role="group" aria-label="Call controls">
      ${toggle('microphone', media.audio, 'Microphone', media.audio ? microphoneIcon : microphoneOffIcon)}
      ${toggle('camera', media.video, 'Camera', media.video ? cameraIcon : cameraOffIcon)}
      ${toggle('screen', media.screen, 'Share screen', screenIcon)}
      ${
        active.connection === 'failed'
          ? html`<button
              class="control danger"
              part="control leave"
              @click=${() => this.dispatchEvent(new Event('close'))}
            >
              <span>Close</span>
            </button>`
          : html`<button
              class="control danger"
              part="control leave"
              ?disabled=${this.busy === 'leave'}
              @click=${this.#leave}
            >
              ${hangUpIcon}<span>${this.busy === 'leave' ? 'Leaving…' : 'Leave'}</span>
            </button>`
      }
      ${
        this.#canEnd
          ? html`<button class="control danger outline" part="control end" @click=${this.#askEnd}>
              ${endForAllIcon}<span>End for everyone</span>
            </button>`
          : nothing
      }
    </div>`;
  }

  // ── Minimised ─────────────────────────────────────────────────────────────────────────────────────

  #renderMinimised(active: ActiveCall): TemplateResult {
    const remote = active.participants.filter((participant) => !participant.isLocal);
    const featured =
      remote.find((participant) => participant.screen && participant.screenTrack) ??
      remote.find((participant) => participant.video && participant.videoTrack) ??
      remote[0] ??
      active.participants[0];
    const track = featured
      ? ((featured.screen ? featured.screenTrack : null) ?? (featured.video ? featured.videoTrack : null))
      : null;
    const title = this.#name ?? 'Call';
    const kind = active.session ? 'Session' : 'Call';
    return html`<aside class="hub-root mini" part="minimised" aria-label="${kind} · ${title} (minimised)">
      <div class="mini-video">
        ${
          track
            ? html`<video
                autoplay
                playsinline
                muted
                .muted=${true}
                .srcObject=${streamOf(track)}
                aria-hidden="true"
              ></video>`
            : featured
              ? html`<span
                  class="avatar"
                  part="avatar"
                  style=${styleMap({ '--_hue': String(hueOf(featured.userId)) })}
                  aria-hidden="true"
                  >${initials(featured.name)}</span
                >`
              : nothing
        }
        <span class="name mini-name">${featured && !featured.isLocal ? featured.name : title}</span>
      </div>
      <div class="mini-bar">
        <span class="connection" role="status">${CONNECTION_TEXT[active.connection] ?? ''}</span>
        <button class="restore" @click=${() => this.#setMinimised(false)}>
          ${restoreIcon}<span>Restore call</span>
        </button>
      </div>
    </aside>`;
  }

  #renderAudio(active: ActiveCall): TemplateResult {
    const remoteAudio = active.participants.filter(
      (participant) => !participant.isLocal && participant.audioTrack,
    );
    return html`<div class="audio" aria-hidden="true">
      ${repeat(
        remoteAudio,
        (participant) => participant.audioTrack!.id,
        (participant) =>
          html`<audio
            autoplay
            data-peer=${participant.id}
            .srcObject=${streamOf(participant.audioTrack!)}
          ></audio>`,
      )}
    </div>`;
  }

  // ── Actions ───────────────────────────────────────────────────────────────────────────────────────

  #onKeydown(event: KeyboardEvent): void {
    // Escape never ends a call; it only backs out of the end confirmation.
    if (event.key === 'Escape' && this.confirmingEnd) {
      event.stopPropagation();
      this.confirmingEnd = false;
      void this.updateComplete.then(() => this.#focus('[part~="end"]'));
    }
  }

  #setMinimised(minimised: boolean): void {
    this.dispatchEvent(new CustomEvent('minimise-change', { detail: { minimised } }));
  }

  async #toggle(control: 'microphone' | 'camera' | 'screen', on: boolean): Promise<void> {
    const calls = this.calls;
    if (!calls) return;
    const run = {
      microphone: () => calls.setMicrophone(on),
      camera: () => calls.setCamera(on),
      screen: () => calls.setScreenShare(on),
    }[control];
    await this.#run(control, run);
  }

  readonly #leave = async (): Promise<void> => {
    const calls = this.calls;
    const callId = this.active?.callId;
    if (!calls || !callId) return;
    emit(this, 'hub-call-leave', { callId });
    await this.#run('leave', () => calls.leave());
  };

  readonly #askEnd = async (): Promise<void> => {
    this.confirmingEnd = true;
    await this.updateComplete;
    this.#focus('.confirm [part~="control"]');
  };

  readonly #end = async (): Promise<void> => {
    const calls = this.calls;
    const callId = this.active?.callId;
    if (!calls || !callId) return;
    emit(this, 'hub-call-end', { callId });
    await this.#run('end', () => calls.end(callId));
    this.confirmingEnd = false;
  };

  async #run(control: Control, action: () => Promise<void>): Promise<void> {
    this.busy = control;
    this.actionError = '';
    try {
      await action();
    } catch (error) {
      this.actionError = describeError(error, { showOtherMessages: true }).detail;
    } finally {
      this.busy = undefined;
    }
  }
}

define('hub-call-view', HubCallView);

declare global {
  interface HTMLElementTagNameMap {
    'hub-call-view': HubCallView;
  }
}
