/**
 * Baseline for `<teacher-hub>` with its chat list: what a team would otherwise write, a minimal
 * `stream-chat-react` page (channel list, channel with header, messages, composer and thread). Built with
 * the SDK's own Vite configuration by `bench/bundle/baselines.ts`; only its JS is counted, not its CSS.
 */
import { createElement as h } from 'react';
import { createRoot } from 'react-dom/client';
import { StreamChat } from 'stream-chat';
import {
  Channel,
  ChannelHeader,
  ChannelList,
  Chat,
  MessageComposer,
  MessageList,
  Thread,
  Window,
} from 'stream-chat-react';

const root = document.getElementById('chat');
const { apiKey, userId, token } = root?.dataset ?? {};
if (root && apiKey && userId && token) {
  const client = StreamChat.getInstance(apiKey);
  void client.connectUser({ id: userId }, token);
  createRoot(root).render(
    h(
      Chat,
      { client },
      h(ChannelList, { filters: { members: { $in: [userId] } } }),
      h(Channel, null, h(Window, null, h(ChannelHeader), h(MessageList), h(MessageComposer)), h(Thread)),
    ),
  );
}
