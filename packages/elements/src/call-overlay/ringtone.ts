/** What the ringtone is doing: `blocked` while the browser's autoplay rules keep it silent. */
export type RingtoneState = 'stopped' | 'playing' | 'blocked';

/** One ring: two soft notes, then a pause, repeated this often (ms). */
const RING_PERIOD_MS = 2_400;
const NOTES: ReadonlyArray<{ frequency: number; at: number; duration: number }> = [
  { frequency: 659.25, at: 0, duration: 0.32 },
  { frequency: 830.61, at: 0.36, duration: 0.42 },
];
const VOLUME = 0.18;
/** Events that count as a user gesture for the autoplay policy. */
const GESTURES = ['pointerdown', 'keydown', 'touchend'] as const;

interface UserActivationLike {
  hasBeenActive: boolean;
}

/**
 * The incoming-call ringtone, synthesised with Web Audio (no audio file to fetch). Browsers only let an
 * `AudioContext` make sound after the user has interacted with the page, so the context is created only
 * once that has happened; until then the tone is `blocked` and waits for the next click or key press
 * anywhere on the page. `onStateChange` tells the element, which shows a hint while blocked.
 */
export class Ringtone {
  state: RingtoneState = 'stopped';
  #context: AudioContext | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #onStateChange: (state: RingtoneState) => void;
  readonly #onGesture = () => void this.#unblock();

  constructor(onStateChange: (state: RingtoneState) => void) {
    this.#onStateChange = onStateChange;
  }

  /** Starts ringing (or waits for a gesture to). A no-op while already ringing. */
  start(): void {
    if (this.state !== 'stopped') return;
    const activation = (navigator as Navigator & { userActivation?: UserActivationLike }).userActivation;
    if (typeof AudioContext === 'undefined') return;
    if (activation && !activation.hasBeenActive) {
      this.#block();
      return;
    }
    void this.#play();
  }

  /** Stops ringing and forgets any wait for a gesture. */
  stop(): void {
    this.#listenForGesture(false);
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#context?.state === 'running') void this.#context.suspend().catch(() => undefined);
    this.#set('stopped');
  }

  /** Stops and lets go of the audio context (the element is leaving the page). */
  dispose(): void {
    this.stop();
    void this.#context?.close().catch(() => undefined);
    this.#context = undefined;
  }

  async #play(): Promise<void> {
    this.#context ??= new AudioContext();
    const context = this.#context;
    // Marked playing first so that a stop() while resume() is pending wins.
    this.#set('playing');
    try {
      await context.resume();
    } catch {
      // Still suspended: handled below.
    }
    if (this.state !== 'playing') return;
    if (context.state !== 'running') {
      this.#block();
      return;
    }
    this.#ring(context);
    this.#timer = setInterval(() => this.#ring(context), RING_PERIOD_MS);
  }

  #ring(context: AudioContext): void {
    const start = context.currentTime + 0.02;
    for (const note of NOTES) {
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.type = 'sine';
      oscillator.frequency.value = note.frequency;
      const from = start + note.at;
      // A quick attack and an exponential fade read as a soft chime, not a beep.
      gain.gain.setValueAtTime(0.0001, from);
      gain.gain.exponentialRampToValueAtTime(VOLUME, from + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, from + note.duration);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(from);
      oscillator.stop(from + note.duration + 0.05);
    }
  }

  #block(): void {
    this.#set('blocked');
    this.#listenForGesture(true);
  }

  async #unblock(): Promise<void> {
    if (this.state !== 'blocked') return;
    this.#listenForGesture(false);
    this.state = 'stopped';
    await this.#play();
  }

  #listenForGesture(on: boolean): void {
    for (const type of GESTURES) {
      if (on) document.addEventListener(type, this.#onGesture, { capture: true });
      else document.removeEventListener(type, this.#onGesture, { capture: true });
    }
  }

  #set(state: RingtoneState): void {
    if (this.state === state) return;
    this.state = state;
    this.#onStateChange(state);
  }
}
