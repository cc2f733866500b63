import { Hono } from 'hono';
import { html, raw } from 'hono/html';
import type { MailboxEmailSender } from '../adapters/email/mailbox.ts';
import { devModeOnly } from '../http/auth.ts';
import type { PublicEnv } from '../http/types.ts';
import type { Services } from '../services.ts';
import { pageSecurityHeaders } from '../http/static.ts';

const STYLE = `
  body { font: 15px/1.5 system-ui, sans-serif; margin: 0; background: #f3f4f6; color: #1f2937; }
  header { background: #0f766e; color: #fff; padding: 0.75rem 1.5rem; }
  header h1 { font-size: 1.1rem; margin: 0; }
  main { max-width: 60rem; margin: 1.5rem auto; padding: 0 1rem; }
  article { background: #fff; border: 1px solid #e5e7eb; border-radius: 10px; padding: 1rem 1.25rem; margin-bottom: 1rem; }
  h2 { font-size: 1.05rem; margin: 0 0 0.25rem; }
  .meta { color: #6b7280; font-size: 0.85rem; margin: 0 0 0.75rem; }
  pre { white-space: pre-wrap; font: inherit; margin: 0; }
  details { margin-top: 0.75rem; }
  summary { cursor: pointer; color: #0f766e; }
  details pre { font: 12px/1.4 ui-monospace, monospace; background: #f9fafb; padding: 0.75rem; border-radius: 6px; }
  .empty { color: #6b7280; }
`;

/** Dev mode's mailbox: what the hub would have emailed, as a page (`/dev/mailbox`) and as JSON. */
export function devMailboxRoutes(services: Services) {
  const mailbox: MailboxEmailSender | null = services.notifications.mailbox;
  const devOnly = devModeOnly(services.config.mode === 'dev' && mailbox !== null);
  return new Hono<PublicEnv>()
    .get('/dev/mailbox.json', devOnly, async (c) => c.json({ messages: (await mailbox?.list()) ?? [] }, 200))
    .get('/dev/mailbox', devOnly, async (c) => {
      const messages = (await mailbox?.list()) ?? [];
      for (const [name, value] of Object.entries(pageSecurityHeaders())) c.header(name, value);
      return c.html(
        html`<!doctype html>
          <html lang="en">
            <head>
              <meta charset="utf-8" />
              <meta name="viewport" content="width=device-width, initial-scale=1" />
              <title>Dev mailbox · Teacher Hub</title>
              <style>
                ${raw(STYLE)}
              </style>
            </head>
            <body>
              <header><h1>Dev mailbox — what Teacher Hub would have emailed (${messages.length})</h1></header>
              <main>
                ${
                  messages.length === 0
                    ? html`<p class="empty">
                        No mail yet. Scheduled sessions with email, and “Send me a test”, land here.
                      </p>`
                    : messages.map(
                        (message) =>
                          html`<article>
                            <h2>${message.subject}</h2>
                            <p class="meta">To ${message.to} · from ${message.from} · ${message.createdAt}</p>
                            <pre>${message.text}</pre>
                            ${
                              message.calendar
                                ? html`<details>
                                    <summary>Calendar invitation (${message.calendar.method})</summary>
                                    <pre>${message.calendar.content}</pre>
                                  </details>`
                                : ''
                            }
                          </article>`,
                      )
                }
              </main>
            </body>
          </html>`,
        200,
      );
    });
}
