import { define } from '../base/define.ts';
import { HubChatElement } from './hub-chat.component.ts';

export * from './hub-chat.component.ts';
export default HubChatElement;

define('hub-chat', HubChatElement);

declare global {
  interface HTMLElementTagNameMap {
    'hub-chat': HubChatElement;
  }
}
