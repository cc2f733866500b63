/**
 * Upload limits as the hub mounts its GetStream emulator (dev mode): files up to 25 MB, images only of
 * the raster types a browser shows safely (checked by their bytes, not their name), refusals in
 * GetStream's error shape (`stream-chat` reads `code` and `StatusCode`), and nothing stored when refused.
 * The emulator's own suite checks the same with the real `stream-chat` client and other limits.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { EMULATOR_PATH } from '../chat.ts';
import type { ChatResponse } from '../domain/chat/chat-api.ts';
import { DEFAULT_UPLOAD_LIMITS } from '../emulators/stream/routes-uploads.ts';
import { json, jsonBody } from '../testing/http.ts';
import { createTestApp, type TestApp } from '../testing/test-app.ts';

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);

describe('uploads through the hub’s GetStream emulator', () => {
  let hub: TestApp;
  let cid: string;
  let stream: { apiKey: string; token: string };

  before(async () => {
    hub = await createTestApp();
    cid = (
      await json<ChatResponse>(
        await hub.requestAs(
          't-ada',
          '/v1/chats',
          jsonBody({ name: 'Uploads', memberIds: ['s-01'] }, { method: 'POST' }),
        ),
        201,
      )
    ).chat.cid;
    stream = await json(await hub.requestAs('s-01', '/v1/chat/token', { method: 'POST' }));
  });
  after(() => hub.close());

  const upload = (kind: 'file' | 'image', content: Uint8Array, name: string, type: string) => {
    const form = new FormData();
    form.set('file', new File([Buffer.from(content)], name, { type }));
    const [channelType, channelId] = cid.split(':');
    return hub.app.request(
      `${EMULATOR_PATH}/channels/${channelType}/${channelId}/${kind}?api_key=${stream.apiKey}`,
      { method: 'POST', body: form, headers: { Authorization: stream.token, 'stream-auth-type': 'jwt' } },
    );
  };
  const storedFiles = async () =>
    Number(
      (
        await sql<{ count: string }>`select count(*) as count from stream_files`.execute(
          hub.services.database.db,
        )
      ).rows[0]?.count,
    );

  async function assertStreamError(response: Response, status: number, code: number) {
    assert.equal(response.status, status, await response.clone().text());
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(body.StatusCode, status);
    assert.equal(body.code, code);
    assert.equal(typeof body.message, 'string');
  }

  it('takes a file and an image within the limits', async () => {
    assert.equal(
      (await upload('file', new TextEncoder().encode('notes'), 'notes.txt', 'text/plain')).status,
      201,
    );
    assert.equal((await upload('image', PNG, 'dot.png', 'image/png')).status, 201);
    assert.equal(await storedFiles(), 2);
  });

  it('refuses a file over 25 MB with 413 (code 22) and stores nothing', async () => {
    assert.equal(DEFAULT_UPLOAD_LIMITS.maxBytes, 25 * 1024 * 1024);
    const tooBig = new Uint8Array(DEFAULT_UPLOAD_LIMITS.maxBytes + 1);
    await assertStreamError(await upload('file', tooBig, 'big.bin', 'application/octet-stream'), 413, 22);
    assert.equal(await storedFiles(), 2);
  });

  it('refuses an announced oversized body before reading it', async () => {
    const [channelType, channelId] = cid.split(':');
    const response = await hub.app.request(
      `${EMULATOR_PATH}/channels/${channelType}/${channelId}/file?api_key=${stream.apiKey}`,
      {
        method: 'POST',
        body: 'x',
        headers: {
          Authorization: stream.token,
          'stream-auth-type': 'jwt',
          'Content-Type': 'multipart/form-data; boundary=x',
          'Content-Length': String(100 * 1024 * 1024),
        },
      },
    );
    await assertStreamError(response, 413, 22);
  });

  it('refuses images that are not what they claim, and SVG (it can run script), with 400 (code 4)', async () => {
    await assertStreamError(
      await upload(
        'image',
        new TextEncoder().encode('<html><script>alert(1)</script>'),
        'x.png',
        'image/png',
      ),
      400,
      4,
    );
    await assertStreamError(
      await upload(
        'image',
        new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>'),
        'x.svg',
        'image/svg+xml',
      ),
      400,
      4,
    );
    assert.equal(await storedFiles(), 2);
  });

  it('serves a file of any other type as a sandboxed download, never as a page of the hub’s origin', async () => {
    const response = await upload(
      'file',
      new TextEncoder().encode('<script>alert(1)</script>'),
      'page.html',
      'text/html',
    );
    assert.equal(response.status, 201, await response.clone().text());
    const { file } = (await response.json()) as { file: string };
    const served = await hub.app.request(new URL(file).pathname);
    assert.match(served.headers.get('content-disposition') ?? '', /^attachment/);
    assert.equal(served.headers.get('x-content-type-options'), 'nosniff');
    assert.match(served.headers.get('content-security-policy') ?? '', /sandbox/);
    await served.body?.cancel();
  });
});
