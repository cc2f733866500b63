import { define } from '../base/define.ts';
import { SessionCalendar } from './session-calendar.component.ts';

export * from './session-calendar.component.ts';
export default SessionCalendar;

define('session-calendar', SessionCalendar);

declare global {
  interface HTMLElementTagNameMap {
    'session-calendar': SessionCalendar;
  }
}
