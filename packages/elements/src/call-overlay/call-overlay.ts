import { define } from '../base/define.ts';
import { CallOverlay } from './call-overlay.component.ts';

export * from './call-overlay.component.ts';
export default CallOverlay;

define('call-overlay', CallOverlay);

declare global {
  interface HTMLElementTagNameMap {
    'call-overlay': CallOverlay;
  }
}
