// What the chat service loads on first use, in one lazy chunk with `stream-chat`: the SDK itself and the
// code that reads its state. Nothing outside packages/core/src/chat imports this module.
export { StreamChat } from 'stream-chat';
export { Conversation } from './conversation.ts';
export { toChatMessage } from './stream-mapping.ts';
