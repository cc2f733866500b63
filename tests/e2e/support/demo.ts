import type { Browser, Page } from 'playwright-core';
import type { RunningHub } from './hub-server.ts';

/** A person in the demo LMS, in a browser context of their own (every tab can be someone else). */
export async function signIn(
  browser: Browser,
  hub: RunningHub,
  userId: string,
  options: { timezoneId?: string } = {},
): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  await page.goto(hub.url);
  await page.getByRole('button', { name: new RegExp(userId) }).click();
  await page.waitForURL(/\/(teacher|student)\.html$/);
  return page;
}

/** A dev-mode hub token for a demo user. */
export async function tokenFor(hub: RunningHub, userId: string): Promise<string> {
  const response = await fetch(`${hub.url}/v1/dev/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ userId }),
  });
  return ((await response.json()) as { token: string }).token;
}

/** Calls the hub's API as `userId`; the body is the parsed JSON answer (or null). */
export async function api<T>(
  hub: RunningHub,
  userId: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${await tokenFor(hub, userId)}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json().catch(() => null)) as T };
}
