/**
 * Attachments: `POST /channels/{type}/{id}/file|image` (multipart, field `file`), stored in the database,
 * served back from `GET /uploads/{id}/{name}` (an unguessable id stands in for Stream's signed CDN URL),
 * and deleted with `DELETE /channels/{type}/{id}/file|image?url=`.
 */
import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { authorize, loadChannel, type EmulatorContext, type EmulatorEnv } from './context.ts';
import { duration, fail } from './errors.ts';
import { getMember, type JsonObject } from './store.ts';

export const DEFAULT_UPLOAD_LIMITS = {
  maxBytes: 25 * 1024 * 1024,
  // No SVG: it is a document that can run script when opened from the emulator's origin.
  allowedImageTypes: ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/bmp', 'image/avif'],
  allowedFileTypes: null,
};

const EXTENSION_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  bmp: 'image/bmp',
  avif: 'image/avif',
  svg: 'image/svg+xml',
  pdf: 'application/pdf',
  txt: 'text/plain',
  csv: 'text/csv',
  html: 'text/html',
  htm: 'text/html',
  json: 'application/json',
  zip: 'application/zip',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  mp3: 'audio/mpeg',
  mp4: 'video/mp4',
};

/** What an image really is, from its first bytes; undefined when it is no image we accept. */
export function sniffImageType(bytes: Uint8Array): string | undefined {
  const starts = (...signature: number[]) => signature.every((byte, index) => bytes[index] === byte);
  const ascii = (offset: number, text: string) =>
    [...text].every((char, index) => bytes[offset + index] === char.charCodeAt(0));
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (ascii(0, 'GIF87a') || ascii(0, 'GIF89a')) return 'image/gif';
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return 'image/webp';
  if (ascii(0, 'BM')) return 'image/bmp';
  if (ascii(4, 'ftypavif')) return 'image/avif';
  return undefined;
}

function mimeTypeOf(file: File): string {
  const declared = file.type.split(';')[0]!.trim().toLowerCase();
  if (declared && declared !== 'application/octet-stream') return declared;
  const extension = file.name.split('.').pop()?.toLowerCase() ?? '';
  return EXTENSION_TYPES[extension] ?? 'application/octet-stream';
}

function safeName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = [...base]
    .filter((char) => char !== '"' && char.charCodeAt(0) >= 0x20 && char.charCodeAt(0) !== 0x7f)
    .join('')
    .trim()
    .slice(0, 200);
  return cleaned || 'file';
}

/** Types a browser may show inline from the emulator's origin; everything else downloads. */
const INLINE_TYPES = new Set(['application/pdf', 'text/plain', 'audio/mpeg', 'video/mp4']);

export function uploadRoutes(ctx: EmulatorContext) {
  const limits = ctx.uploadLimits;
  const upload = (kind: 'file' | 'image') => {
    const operation = kind === 'image' ? 'UploadImage' : 'UploadFile';
    return [
      bodyLimit({
        // Multipart framing adds a little to the file itself.
        maxSize: limits.maxBytes + 64 * 1024,
        onError: () => {
          throw fail.tooBig(operation, `file is too large, the limit is ${limits.maxBytes} bytes`);
        },
      }),
      async (c: Context<EmulatorEnv>) => {
        const caller = c.get('caller');
        const loaded = await loadChannel(ctx.db, c.req.param('type')!, c.req.param('id')!, operation);
        if (!loaded.type.config.uploads)
          throw fail.input(operation, 'uploads are disabled for this channel type');
        await authorize(ctx, caller, loaded, 'upload-attachment', operation);
        let form: Record<string, string | File>;
        try {
          form = (await c.req.parseBody()) as Record<string, string | File>;
        } catch {
          throw fail.input(operation, 'the request must be multipart/form-data with a "file" field');
        }
        const file = form.file;
        if (!(file instanceof File)) throw fail.input(operation, 'the "file" field is required');
        if (file.size > limits.maxBytes) {
          throw fail.tooBig(
            operation,
            `file is too large: ${file.size} bytes, the limit is ${limits.maxBytes} bytes`,
          );
        }
        if (file.size === 0) throw fail.input(operation, 'the file is empty');
        const content = new Uint8Array(await file.arrayBuffer());
        let mimeType = mimeTypeOf(file);
        if (kind === 'image') {
          const actual = sniffImageType(content);
          if (
            !limits.allowedImageTypes.includes(mimeType) ||
            !actual ||
            !limits.allowedImageTypes.includes(actual)
          ) {
            throw fail.input(
              operation,
              `File type ${mimeType} is not allowed for images (allowed: ${limits.allowedImageTypes.join(', ')})`,
            );
          }
          mimeType = actual;
        } else if (limits.allowedFileTypes && !limits.allowedFileTypes.includes(mimeType)) {
          throw fail.input(
            operation,
            `File type ${mimeType} is not allowed (allowed: ${limits.allowedFileTypes.join(', ')})`,
          );
        }
        let userId: string | null = caller.kind === 'client' ? caller.userId : null;
        if (caller.kind === 'server' && typeof form.user === 'string') {
          try {
            const user = JSON.parse(form.user) as JsonObject;
            if (typeof user.id === 'string') userId = user.id;
          } catch {
            // an unreadable user field leaves the upload unattributed
          }
        }
        const id = randomBytes(18).toString('base64url');
        const name = safeName(file.name || (kind === 'image' ? 'image' : 'file'));
        await ctx.db
          .insertInto('stream_files')
          .values({
            id,
            cid: loaded.channel.cid,
            user_id: userId,
            kind,
            name,
            mime_type: mimeType,
            size: content.byteLength,
            content,
            created_at: ctx.now(),
          })
          .execute();
        const url = `${ctx.publicBaseUrl}/uploads/${id}/${encodeURIComponent(name)}`;
        return c.json(
          {
            file: url,
            ...(kind === 'image' ? { thumb_url: url } : {}),
            duration: duration(c.get('startedAt')),
          },
          201,
        );
      },
    ] as const;
  };

  const remove = (kind: 'file' | 'image') => async (c: Context<EmulatorEnv>) => {
    const operation = kind === 'image' ? 'DeleteImage' : 'DeleteFile';
    const caller = c.get('caller');
    const loaded = await loadChannel(ctx.db, c.req.param('type')!, c.req.param('id')!, operation);
    const url = c.req.query('url') ?? '';
    const id = /\/uploads\/([A-Za-z0-9_-]+)\//.exec(url)?.[1];
    const row = id
      ? await ctx.db
          .selectFrom('stream_files')
          .select(['id', 'user_id'])
          .where('id', '=', id)
          .where('cid', '=', loaded.channel.cid)
          .executeTakeFirst()
      : undefined;
    if (!row) throw fail.notFound(operation, `no ${kind} with URL ${url} in channel ${loaded.channel.cid}`);
    const membership =
      caller.kind === 'client'
        ? ((await getMember(ctx.db, loaded.channel.cid, caller.userId)) ?? null)
        : null;
    await authorize(ctx, caller, loaded, 'delete-attachment', operation, {
      membership,
      owns: caller.kind === 'client' && row.user_id === caller.userId,
    });
    await ctx.db.deleteFrom('stream_files').where('id', '=', row.id).execute();
    return c.json({ duration: duration(c.get('startedAt')) }, 200);
  };

  return new Hono<EmulatorEnv>()
    .post('/channels/:type/:id/file', ...upload('file'))
    .post('/channels/:type/:id/image', ...upload('image'))
    .delete('/channels/:type/:id/file', remove('file'))
    .delete('/channels/:type/:id/image', remove('image'));
}

/** The public file route: no API key, like a CDN URL. */
export function fileServingRoutes(ctx: EmulatorContext) {
  return new Hono<EmulatorEnv>().get('/uploads/:fileId/:name', async (c) => {
    const row = await ctx.db
      .selectFrom('stream_files')
      .selectAll()
      .where('id', '=', c.req.param('fileId'))
      .executeTakeFirst();
    if (!row) return c.json({ code: 16, message: 'file not found', StatusCode: 404 }, 404);
    const inline = row.kind === 'image' || INLINE_TYPES.has(row.mime_type);
    const encodedName = encodeURIComponent(row.name);
    return c.body(Buffer.from(row.content), 200, {
      'content-type': row.mime_type,
      'content-length': String(row.size),
      'content-disposition': `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodedName}`,
      'x-content-type-options': 'nosniff',
      // Nothing served from here may run script in the emulator's (the hub's) origin.
      'content-security-policy':
        "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; sandbox",
      'cache-control': 'private, max-age=86400, immutable',
      'cross-origin-resource-policy': 'cross-origin',
    });
  });
}
