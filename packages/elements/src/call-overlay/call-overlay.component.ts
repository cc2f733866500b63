import type { HubClient } from '@teacher-hub/core';
import type { Call } from '@teacher-hub/protocol';
import { html, nothing } from 'lit';
import type { CSSResultGroup, PropertyValues, TemplateResult } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { describeError } from '../base/describe-error.ts';
import { HubElement } from '../base/hub-element.ts';
import { StoreController } from '../controllers/store-controller.ts';
import { emit } from '../events/hub-events.ts';
import type { HubEvent } from '../events/hub-events.ts';
import { hangUpIcon, phoneIcon } from './call-icons.ts';
import { callerName, ringChatName, secondsUntil } from './call-format.ts';
import { callsOf } from './calls-client.ts';
import type { ActiveCall, CallsApi, CallsState } from './calls-client.ts';
import { Ringtone } from './ringtone.ts';
import type { RingtoneState } from './ringtone.ts';
import styles from './call-overlay.styles.ts';

declare module '../events/hub-events.ts' {
  interface HubEventDetails {
    /** `<call-overlay>`: the user accepted a ring; the overlay joins the call next. */
    'hub-call-accept': { callId: string };
    /** `<call-overlay>`: the user declined a ring. */
    'hub-call-decline': { callId: string };
    /** `<call-overlay>`: the user leaves the call (it goes on for the others). */
    'hub-call-leave': { callId: string };
    /** `<call-overlay>`: the teacher ends the call for everyone. */
    'hub-call-end': { callId: string };
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'hub-call-accept': HubEvent<'hub-call-accept'>;
    'hub-call-decline': HubEvent<'hub-call-decline'>;
    'hub-call-leave': HubEvent<'hub-call-leave'>;
    'hub-call-end': HubEvent<'hub-call-end'>;
  }
}

/** How long "The call has ended" stays up. */
const ENDED_TOAST_MS = 4_000;
/** The ring's countdown is redrawn this often. */
const TICK_MS = 1_000;

/** Whether the page is (still) in `active`: a left or ended call closes the view. */
function isOngoing(active: ActiveCall): boolean {
  return active.connection !== 'left' && active.connection !== 'ended';
}

/**
 * The page's calls, for teachers and students alike; put one on every page, anywhere (it is
 * fixed-position above the host page).
 *
 * - **Ringing**: an incoming call shows a card naming the caller and the chat, with Accept (focused) and
 *   Decline and a countdown to the end of the ring; more rings wait their turn. A ringtone synthesised
 *   with Web Audio plays unless `muted`; browsers allow sound only after the user has interacted with the
 *   page, so until then the card says that sound is blocked and the tone starts with the next click.
 * - **In a call**: video tiles with names, mute marks and initials when the camera is off; a shared
 *   screen is shown large with the people in a strip beside it; controls for the microphone, camera,
 *   screen share and leaving, and for the teacher "End for everyone" (after a confirmation). Device and
 *   permission problems are explained with what to do. Minimise shrinks the call to a floating tile;
 *   Escape never ends it. The call view is a chunk of its own, loaded with the first call.
 * - When the teacher ends the call the view closes and "The call has ended" shows for a few seconds.
 * - A scheduled session's occurrence joined through `client.sessions.join()` shows in the same view,
 *   titled with the session's name; only the session's owner gets "End for everyone", which ends the
 *   occurrence.
 *
 * On screens narrower than 40rem the ring card spans the bottom and the call fills the screen.
 *
 * @tag call-overlay
 * @summary Incoming-call ring (accept / decline) and the in-call view: mute, camera, screen share, leave,
 * end for everyone (teacher), minimise.
 *
 * @event {CustomEvent<{callId: string}>} hub-call-accept - The user accepted a ring (fired before joining).
 * @event {CustomEvent<{callId: string}>} hub-call-decline - The user declined a ring (fired before the hub
 * hears of it).
 * @event {CustomEvent<{callId: string}>} hub-call-leave - The user leaves the call; it goes on for the others.
 * @event {CustomEvent<{callId: string}>} hub-call-end - The teacher ends the call for everyone.
 *
 * @csspart ring - The incoming-call card.
 * @csspart ring-accept - The card's Accept button.
 * @csspart ring-decline - The card's Decline button.
 * @csspart countdown - "Rings for … s more".
 * @csspart sound-hint - The note shown while the browser blocks the ringtone.
 * @csspart call - The call view (full size).
 * @csspart stage - The area holding the video tiles.
 * @csspart tile - One participant's tile.
 * @csspart tile-name - The name on a tile.
 * @csspart avatar - The initials shown when a camera is off.
 * @csspart mute-mark - The muted-microphone mark on a tile.
 * @csspart screen - The shared screen, shown large.
 * @csspart controls - The row of call controls.
 * @csspart control - Each control button.
 * @csspart leave - The Leave button.
 * @csspart end - The teacher's "End for everyone" button.
 * @csspart error - A device or connection problem, in words.
 * @csspart minimised - The floating tile of a minimised call.
 * @csspart toast - "The call has ended".
 *
 * @cssproperty --hub-call-overlay-z-index - Stacking order above the host page. Default 2147483000.
 * @cssproperty --hub-call-overlay-stage - Background behind the video tiles. Default #0b1220.
 * @cssproperty --hub-call-overlay-tile - Background of a tile without video. Default #1e293b.
 * @cssproperty --hub-call-overlay-danger - Background of Leave, End and Decline. Default #dc2626.
 * @cssproperty --hub-call-overlay-accept - Background of Accept. Default #15803d.
 * @cssproperty --hub-call-overlay-minimised-width - Width of the minimised tile. Default 15rem.
 */
export class CallOverlay extends HubElement {
  static override styles: CSSResultGroup = [HubElement.styles, styles];

  /** Silences the ringtone (rings still show). */
  @property({ type: Boolean, reflect: true }) muted = false;

  /** The call view is shrunk to a floating tile. Set by the Minimise and Restore buttons. */
  @property({ type: Boolean, reflect: true }) minimised = false;

  @state() private now = Date.now();
  @state() private ringtoneState: RingtoneState = 'stopped';
  @state() private toast = '';
  /** The ring whose Accept or Decline is under way. */
  @state() private answering: { callId: string; action: 'accept' | 'decline' } | undefined;
  @state() private ringError = '';
  @state() private viewLoaded = false;
  /** A failed call the user closed: its last state stays in the store until the next join. */
  @state() private closedCallId: string | undefined;

  @query('[part="ring-accept"]') private acceptButton?: HTMLButtonElement;

  readonly #state = new StoreController(this, undefined, (callsState: CallsState) => callsState);
  readonly #ringtone = new Ringtone((ringtoneState) => (this.ringtoneState = ringtoneState));

  /** The client whose calls this element holds, and how to let go of them. */
  #heldClient: HubClient | undefined;
  #release: (() => void) | undefined;
  #clock: ReturnType<typeof setInterval> | undefined;
  #toastTimer: ReturnType<typeof setTimeout> | undefined;
  /** The ring shown at the last update: a new one takes the focus. */
  #shownRingId: string | undefined;
  /** The page's call as of the last update: its ending shows the toast. */
  #previousActive: ActiveCall | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    this.#hold();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#hold();
    this.#ringtone.dispose();
    clearInterval(this.#clock);
    this.#clock = undefined;
    clearTimeout(this.#toastTimer);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    this.#hold();
    const active = this.#state.value?.active ?? null;
    if (active !== this.#previousActive) this.#onActiveChanged(this.#previousActive, active);
    this.#previousActive = active;
    this.#runClock(this.#pendingRings().length > 0);
    // Here rather than in updated(): the ringtone's state shows in this very render.
    if (this.#ring() && !this.muted) this.#ringtone.start();
    else this.#ringtone.stop();
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const ring = this.#ring();
    if (ring && ring.id !== this.#shownRingId) this.acceptButton?.focus();
    this.#shownRingId = ring?.id;
  }

  /** The calls service of the current client, while connected. */
  get #calls(): CallsApi | undefined {
    return callsOf(this.#heldClient);
  }

  /** Holds the current client's calls (live stream and live state) while connected. */
  #hold(): void {
    const client = this.isConnected ? this.client : undefined;
    if (client === this.#heldClient) return;
    this.#release?.();
    this.#release = undefined;
    this.#heldClient = client;
    const calls = callsOf(client);
    this.#state.setStore(calls?.store);
    if (calls) this.#release = calls.connect();
  }

  /** Rings still open by the clock, the page's own call and locally answered ones left out. */
  #pendingRings(): Call[] {
    const callsState = this.#state.value;
    if (!callsState) return [];
    const active = callsState.active;
    const activeId = active && isOngoing(active) ? active.callId : undefined;
    return callsState.incoming.filter(
      (call) => call.id !== activeId && Date.parse(call.ringExpiresAt) > this.now,
    );
  }

  #ring(): Call | undefined {
    return this.#pendingRings()[0];
  }

  #runClock(on: boolean): void {
    if (on && this.#clock === undefined) {
      this.now = Date.now();
      this.#clock = setInterval(() => (this.now = Date.now()), TICK_MS);
    } else if (!on && this.#clock !== undefined) {
      clearInterval(this.#clock);
      this.#clock = undefined;
    }
  }

  #onActiveChanged(previous: ActiveCall | null, active: ActiveCall | null): void {
    if (active && isOngoing(active)) {
      if (active.connection !== 'failed') this.closedCallId = undefined;
      if (!previous || !isOngoing(previous) || previous.callId !== active.callId) {
        // A new call opens in full, unless the page set `minimised` for the call it starts with.
        if (this.hasUpdated) this.minimised = false;
        if (!this.viewLoaded) void import('./call-view.ts').then(() => (this.viewLoaded = true));
      }
      return;
    }
    if (!previous || !isOngoing(previous)) return;
    // The store may drop `active` without saying why: then the hub's call says whether it ended.
    const ended = active ? active.connection === 'ended' : this.#endedInStore(previous);
    if (ended) this.#showToast(previous.session ? 'The session has ended' : 'The call has ended');
  }

  /** Whether the hub says `active`'s call has ended. */
  #endedInStore(active: ActiveCall): boolean {
    return this.#state.value?.calls[active.callId]?.status === 'ended';
  }

  #showToast(message: string): void {
    this.toast = message;
    clearTimeout(this.#toastTimer);
    this.#toastTimer = setTimeout(() => (this.toast = ''), ENDED_TOAST_MS);
  }

  // ── Render ────────────────────────────────────────────────────────────────────────────────────────

  override render(): TemplateResult {
    const callsState = this.#state.value;
    const active = callsState?.active;
    return html`
      <div class="hub-root overlay">
        ${
          active &&
          isOngoing(active) &&
          !(active.connection === 'failed' && active.callId === this.closedCallId)
            ? this.#renderCall(active)
            : nothing
        }
        ${this.#renderRing()}
        <div class="toast-region" role="status">
          ${this.toast ? html`<p class="toast" part="toast">${this.toast}</p>` : nothing}
        </div>
      </div>
    `;
  }

  #renderCall(active: ActiveCall): TemplateResult {
    const call = this.#state.value?.calls[active.callId];
    if (!this.viewLoaded) {
      return html`<div class="call-loading" part="call" role="status">Connecting…</div>`;
    }
    return html`<hub-call-view
      exportparts="call, stage, tile, tile-name, avatar, mute-mark, screen, controls, control, leave, end, error, minimised"
      theme=${this.theme ?? 'light'}
      .active=${active}
      .call=${call}
      .calls=${this.#calls}
      ?minimised=${this.minimised}
      @close=${() => (this.closedCallId = active.callId)}
      @minimise-change=${(event: CustomEvent<{ minimised: boolean }>) =>
        (this.minimised = event.detail.minimised)}
    ></hub-call-view>`;
  }

  #renderRing(): TemplateResult | typeof nothing {
    const rings = this.#pendingRings();
    const call = rings[0];
    if (!call) return nothing;
    const caller = callerName(call);
    const chatName = ringChatName(call);
    const seconds = secondsUntil(call.ringExpiresAt, this.now);
    const busy = this.answering?.callId === call.id ? this.answering.action : undefined;
    return html`
      <div
        class="ring"
        part="ring"
        role="alertdialog"
        aria-labelledby="ring-title"
        aria-describedby="ring-detail"
      >
        <div class="ring-icon" aria-hidden="true">${phoneIcon}</div>
        <div class="ring-text">
          <h2 id="ring-title" class="ring-title">
            ${caller} is calling${chatName ? html` <span class="ring-chat">· ${chatName}</span>` : nothing}
          </h2>
          <p id="ring-detail" class="ring-detail">
            <span part="countdown" class="countdown">Rings for ${seconds} s more</span>
            ${rings.length > 1 ? html` · ${rings.length - 1} more waiting` : nothing}
          </p>
          ${
            this.ringtoneState === 'blocked'
              ? html`<p class="sound-hint" part="sound-hint">
                  Sound is blocked by the browser — click anywhere to allow.
                </p>`
              : nothing
          }
          ${this.ringError ? html`<p class="ring-error" role="alert">${this.ringError}</p>` : nothing}
        </div>
        <div class="ring-actions">
          <button
            class="decline"
            part="ring-decline"
            ?disabled=${busy !== undefined}
            @click=${() => this.#decline(call.id)}
          >
            ${hangUpIcon} ${busy === 'decline' ? 'Declining…' : 'Decline'}
          </button>
          <button
            class="accept"
            part="ring-accept"
            ?disabled=${busy !== undefined}
            @click=${() => this.#accept(call.id)}
          >
            ${phoneIcon} ${busy === 'accept' ? 'Joining…' : 'Accept'}
          </button>
        </div>
      </div>
    `;
  }

  // ── Actions ───────────────────────────────────────────────────────────────────────────────────────

  async #accept(callId: string): Promise<void> {
    const calls = this.#calls;
    if (!calls) return;
    emit(this, 'hub-call-accept', { callId });
    this.#ringtone.stop();
    await this.#answer(callId, 'accept', () => calls.join(callId));
  }

  async #decline(callId: string): Promise<void> {
    const calls = this.#calls;
    if (!calls) return;
    emit(this, 'hub-call-decline', { callId });
    await this.#answer(callId, 'decline', () => calls.decline(callId));
  }

  async #answer(callId: string, action: 'accept' | 'decline', run: () => Promise<void>): Promise<void> {
    this.answering = { callId, action };
    this.ringError = '';
    try {
      await run();
    } catch (error) {
      const what = action === 'accept' ? 'The call could not be joined' : 'The call could not be declined';
      this.ringError = `${what}: ${describeError(error, { showOtherMessages: true }).detail}`;
    } finally {
      this.answering = undefined;
    }
  }
}
