import { define } from '../base/define.ts';
import { NotificationCenter } from './notification-center.component.ts';

export * from './notification-center.component.ts';
export default NotificationCenter;

define('notification-center', NotificationCenter);

declare global {
  interface HTMLElementTagNameMap {
    'notification-center': NotificationCenter;
  }
}
