import { createHash } from 'node:crypto';

/** GetStream's alphabet for ids: lowercase letters, digits, `_` and `-`, at most 64 characters. */
export const STREAM_ID = /^[a-z0-9_-]{1,64}$/;

/**
 * A hub user id (the LMS's, up to 128 characters of letters, digits, `_ . @ -`) as a GetStream user id.
 *
 * Deterministic, so nothing needs storing: `a-z`, `0-9` and `-` stay as they are, every other byte of the
 * UTF-8 id becomes `_` and two hex digits (`ada.lovelace@x.edu` → `ada_2elovelace_40x_2eedu`, `T-Ada` →
 * `_54-_41da`, `s_1` → `s_5f1`). That form is reversible; the demo's ids (`t-ada`, `s-01`) come out
 * unchanged. An id whose escaped form would pass 64 characters becomes `_h` and 62 hex digits of its
 * SHA-256 instead (`_h` cannot start an escaped id, so the two forms never collide). The hub never needs
 * the way back: it finds a GetStream id among a chat's members by mapping them forward.
 */
export function streamUserId(hubUserId: string): string {
  let escaped = '';
  for (const byte of Buffer.from(hubUserId, 'utf8')) {
    const char = String.fromCharCode(byte);
    escaped += /[a-z0-9-]/.test(char) ? char : `_${byte.toString(16).padStart(2, '0')}`;
  }
  if (escaped.length > 0 && escaped.length <= 64) return escaped;
  return `_h${createHash('sha256').update(hubUserId, 'utf8').digest('hex').slice(0, 62)}`;
}
