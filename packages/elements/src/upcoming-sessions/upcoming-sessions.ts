import { define } from '../base/define.ts';
import { UpcomingSessions } from './upcoming-sessions.component.ts';

export * from './upcoming-sessions.component.ts';
export default UpcomingSessions;

define('upcoming-sessions', UpcomingSessions);

declare global {
  interface HTMLElementTagNameMap {
    'upcoming-sessions': UpcomingSessions;
  }
}
