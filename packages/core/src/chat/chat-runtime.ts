// What the chat service loads on first use, in one lazy chunk with `stream-chat`: the connection and the
// code that reads its state. Nothing outside packages/core/src/chat imports this module.
export { ChatSession } from './chat-session.ts';
