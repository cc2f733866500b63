import { define } from '../base/define.ts';
import { SessionScheduler } from './session-scheduler.component.ts';

export * from './session-scheduler.component.ts';
export default SessionScheduler;

define('session-scheduler', SessionScheduler);

declare global {
  interface HTMLElementTagNameMap {
    'session-scheduler': SessionScheduler;
  }
}
