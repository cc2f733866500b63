import { StreamChat } from 'stream-chat';
import type { Channel } from 'stream-chat';
import { api, tokenFor } from '../../tests/e2e/support/demo.ts';
import type { RunningHub } from '../../tests/e2e/support/hub-server.ts';

/** A demo user connected to the hub's chat (the GetStream emulator in dev mode) from Node. */
export interface ChatUser {
  id: string;
  channel: Channel;
  close: () => Promise<void>;
}

interface ChatToken {
  apiKey: string;
  userId: string;
  token: string;
  baseURL: string | null;
}

/**
 * Connects `userId` to the chat as the SDK does: a hub token, then `POST /v1/chat/token`, then a real
 * `stream-chat` client watching the chat's channel.
 */
export async function connectChatUser(hub: RunningHub, userId: string, cid: string): Promise<ChatUser> {
  const response = await fetch(`${hub.url}/v1/chat/token`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${await tokenFor(hub, userId)}` },
  });
  if (!response.ok) throw new Error(`no chat token for ${userId}: ${response.status}`);
  const token = (await response.json()) as ChatToken;
  // Server side on purpose: these are the members' own clients, as their browsers would hold them.
  const client = new StreamChat(token.apiKey, {
    allowServerSideConnect: true,
    ...(token.baseURL ? { baseURL: token.baseURL } : {}),
  });
  await client.connectUser({ id: token.userId }, token.token);
  const at = cid.indexOf(':');
  const channel = client.channel(cid.slice(0, at), cid.slice(at + 1));
  await channel.watch();
  return { id: token.userId, channel, close: () => client.disconnectUser() };
}

/** The direct chat of a demo teacher and one of their students, made through the hub's API. */
export async function directChat(
  hub: RunningHub,
  teacherId: string,
  studentId: string,
): Promise<{ id: string; cid: string }> {
  const answer = await api<{ chat: { id: string; cid: string } }>(
    hub,
    teacherId,
    'POST',
    '/v1/chats/direct',
    {
      userId: studentId,
    },
  );
  if (answer.status >= 300) throw new Error(`the direct chat was not made: ${answer.status}`);
  return answer.body.chat;
}

const SENTENCES = [
  'Remember the worksheet is due on Friday.',
  'Could you explain question 4 again? I did not get the second step.',
  'Sure: divide both sides by x first, then the rest follows.',
  'The notes are at https://example.edu/algebra/unit-3 if you want to read ahead.',
  'Thanks!',
  'I will be five minutes late to the session tomorrow, sorry.',
  'No problem, we start with a short recap anyway.',
];

/**
 * The text of message `index` of a seeded history: sentences of varied length, some with a link, so the
 * timeline has the runs, wrapping and anchors of a real chat.
 */
function seedText(index: number): string {
  return `#${index} ${SENTENCES[index % SENTENCES.length]}`;
}

/**
 * Writes `count` messages into the chat through both members' `stream-chat` clients (runs of a few
 * messages by one author, then the other), `parallel` requests at a time. Resolves when all are stored.
 */
export async function seedHistory(users: readonly ChatUser[], count: number, parallel = 8): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < count; index = next++) {
      const author = users[Math.floor(index / 3) % users.length]!;
      await author.channel.sendMessage({ text: seedText(index) });
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}
