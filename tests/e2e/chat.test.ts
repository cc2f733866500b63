import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, screenshot } from './support/browser.ts';
import { api as demoApi, signIn as signInAs } from './support/demo.ts';
import { startHub, type RunningHub } from './support/hub-server.ts';

const GROUP = 'Algebra & Biology study group';

interface HubAnswer {
  chats: Array<{ id: string; name: string; memberIds: string[] }>;
  error: { code: string };
}

/**
 * Issue 4 in the demo: Ada makes a group across her two courses, both students see it, are notified and
 * chat with her; a student messages Ada directly but can make no group and cannot reach another student;
 * Ada cannot add a student who is not hers.
 */
describe('chat in the demo', () => {
  let hub: RunningHub;
  let browser: Browser;
  before(async () => {
    hub = await startHub();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await hub?.stop();
  });

  const signIn = (userId: string): Promise<Page> => signInAs(browser, hub, userId);
  const call = (userId: string, method: string, path: string, body?: unknown) =>
    demoApi<HubAnswer>(hub, userId, method, path, body);

  const chatItem = (page: Page, name: string) =>
    page.locator('hub-chat [part="chat-item"]', { hasText: name });
  const message = (page: Page, text: string) => page.locator('hub-chat [part="message"]', { hasText: text });
  async function send(page: Page, text: string) {
    const composer = page.locator('hub-chat [part="composer"] textarea');
    await composer.fill(text);
    await composer.press('Enter');
  }

  it('lets Ada make a group across her courses that both students see, are told of, and chat in', async () => {
    const ada = await signIn('t-ada');
    await ada.locator('hub-chat').getByRole('button', { name: 'New chat' }).click();
    await ada.locator('hub-chat #group-name').fill(GROUP);
    const picker = ada.locator('hub-chat student-picker');
    await picker
      .locator('input[data-id="s-09"]')
      .count()
      .then((count) => assert.equal(count, 0, 's-09 is not Ada’s'));
    await picker.locator('input[data-id="s-01"]').first().check();
    await picker.locator('input[data-id="s-06"]').first().check();
    await ada.locator('hub-chat').getByRole('button', { name: 'Create group' }).click();
    await chatItem(ada, GROUP).click();
    await send(ada, 'Welcome to the study group!');
    await message(ada, 'Welcome to the study group!').waitFor();

    const amara = await signIn('s-01');
    const finn = await signIn('s-06');
    for (const student of [amara, finn]) {
      await chatItem(student, GROUP).waitFor();
      await student.locator('notification-center [part="bell"]').click();
      await student.locator('notification-center [part="item-title"]', { hasText: GROUP }).first().waitFor();
      await student.keyboard.press('Escape');
    }

    await chatItem(amara, GROUP).click();
    await message(amara, 'Welcome to the study group!').waitFor();
    await send(amara, 'Thank you, Ada!');
    await message(ada, 'Thank you, Ada!').waitFor();
    await chatItem(finn, GROUP).click();
    await message(finn, 'Thank you, Ada!').waitFor();
    await screenshot(ada, 'issue-4-ada-group-chat');
    await screenshot(amara, 'issue-4-amara-group-chat');

    const chats = await call('s-06', 'GET', '/v1/chats');
    const group = chats.body.chats.find((chat) => chat.name === GROUP);
    assert.deepEqual(group?.memberIds.toSorted(), ['s-01', 's-06', 't-ada']);

    // Ada cannot add a student who is not in any of her courses.
    const refused = await call('t-ada', 'POST', `/v1/chats/${group?.id}/members`, { userIds: ['s-09'] });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'NOT_ENROLLED');
  });

  it('lets a student message Ada directly, but make no group and reach no other student', async () => {
    const amara = await signIn('s-01');
    const ada = await signIn('t-ada');
    await amara.locator('hub-chat').getByRole('button', { name: 'New chat' }).click();
    assert.equal(await amara.locator('hub-chat #group-name').count(), 0, 'no group form for a student');
    await amara.locator('hub-chat #direct-person').selectOption('t-ada');
    await amara.locator('hub-chat').getByRole('button', { name: 'Open chat' }).click();
    await send(amara, 'May I ask about the homework?');
    await chatItem(ada, 'Amara Okafor').click();
    await message(ada, 'May I ask about the homework?').waitFor();

    const group = await call('s-01', 'POST', '/v1/chats', { name: 'Our group', memberIds: ['s-02'] });
    assert.equal(group.status, 403);
    const peer = await call('s-01', 'POST', '/v1/chats/direct', { userId: 's-02' });
    assert.equal(peer.status, 403);
    const chats = await call('s-01', 'GET', '/v1/chats');
    assert.ok(
      chats.body.chats.every((chat) => !chat.memberIds.includes('s-02')),
      'nothing was created with s-02',
    );
  });
});
