// `npm run setup:stream`: configures the GetStream app named by STREAM_API_KEY / STREAM_API_SECRET for the
// hub: the channel types hub-group, hub-direct and hub-session with the hub's grants (no client role may
// create channels or change their members), the webhook to ${HUB_PUBLIC_URL}/v1/webhooks/stream, and token
// and permission checks on. Safe to run again. Reads the same environment as the hub (env.ts).
import { setupStreamApp, streamAppProblems } from '../src/adapters/chat/stream-app.ts';
import { StreamChatProvider } from '../src/adapters/chat/stream-provider.ts';
import { systemClock } from '../src/domain/clock.ts';
import { loadConfigOrExit } from '../src/env.ts';
import { createConsoleLogger } from '../src/logger.ts';

const config = loadConfigOrExit(process.env);
if (!config.stream) {
  console.error(
    'setup:stream configures a GetStream app: set STREAM_API_KEY and STREAM_API_SECRET (and HUB_PUBLIC_URL, ' +
      'the URL GetStream posts webhooks to). Without them the hub runs its local emulator, which needs no setup.',
  );
  process.exit(1);
}
const webhookUrl = `${config.server.publicUrl}/v1/webhooks/stream`;
if (/^http:\/\/(localhost|127\.|\[::1\])/.test(webhookUrl)) {
  console.warn(
    `Note: the webhook URL ${webhookUrl} is local; GetStream's servers cannot reach it. Set HUB_PUBLIC_URL.`,
  );
}

const provider = new StreamChatProvider({
  kind: 'stream',
  apiKey: config.stream.apiKey,
  apiSecret: config.stream.apiSecret,
  baseURL: config.stream.baseUrl,
  clientBaseURL: config.stream.baseUrl ?? null,
  clock: systemClock,
  logger: createConsoleLogger(),
});
try {
  console.log(`Setting up the GetStream app ${config.stream.apiKey} for Teacher Hub:`);
  for (const line of await setupStreamApp(provider.client, { webhookUrl })) console.log(`  - ${line}`);
  const problems = await streamAppProblems(provider.client);
  if (problems.length > 0) {
    console.error(['The app still has problems:', ...problems.map((problem) => `  - ${problem}`)].join('\n'));
    process.exit(1);
  }
  console.log('Done: the hub will start with this app.');
  // stream-chat keeps its HTTP connections alive; nothing else is left to do.
  process.exit(0);
} catch (error) {
  console.error(`setup:stream failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
