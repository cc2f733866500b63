/**
 * Baseline "lit alone": the least a page with one LitElement downloads (lit's runtime, `html` and `css`),
 * built with the SDK's own Vite configuration by `bench/bundle/baselines.ts`.
 */
import { LitElement, css, html } from 'lit';

class HelloCard extends LitElement {
  static override styles = css`
    :host {
      display: block;
      padding: 1rem;
    }
  `;

  static override properties = { name: {} };
  declare name: string;

  override render() {
    return html`<p>Hello, ${this.name}!</p>`;
  }
}

customElements.define('hello-card', HelloCard);
