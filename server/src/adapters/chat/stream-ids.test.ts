import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { STREAM_ID, streamUserId } from './stream-ids.ts';

/** The escaped form read back, to show that it loses nothing. */
function unescape(streamId: string): string {
  const bytes: number[] = [];
  for (let index = 0; index < streamId.length; index += 1) {
    if (streamId[index] === '_') {
      bytes.push(parseInt(streamId.slice(index + 1, index + 3), 16));
      index += 2;
    } else bytes.push(streamId.charCodeAt(index));
  }
  return Buffer.from(bytes).toString('utf8');
}

describe('hub user ids as GetStream ids', () => {
  it('keeps ids already in GetStream’s alphabet as they are', () => {
    for (const id of ['t-ada', 's-01', 'x9-z']) assert.equal(streamUserId(id), id);
  });

  it('escapes everything else reversibly, into a-z 0-9 _ -', () => {
    const ids = ['ada.lovelace@x.edu', 'T-Ada', 's_1', 'Zoë', '123@ABC.z-_'];
    const mapped = ids.map(streamUserId);
    assert.deepEqual(mapped.slice(0, 3), ['ada_2elovelace_40x_2eedu', '_54-_41da', 's_5f1']);
    for (const [index, streamId] of mapped.entries()) {
      assert.match(streamId, STREAM_ID);
      assert.equal(unescape(streamId), ids[index]);
    }
    assert.equal(new Set(mapped).size, ids.length);
  });

  it('hashes an id whose escaped form would pass 64 characters, in a form no escaped id can take', () => {
    const long = `${'a.'.repeat(40)}@school.example.edu`;
    const mapped = streamUserId(long);
    assert.match(mapped, /^_h[0-9a-f]{62}$/);
    assert.match(mapped, STREAM_ID);
    assert.equal(streamUserId(long), mapped, 'deterministic');
    assert.notEqual(streamUserId(`${long}x`), mapped);
    assert.equal(streamUserId('a'.repeat(64)), 'a'.repeat(64));
    assert.match(streamUserId('a'.repeat(65)), /^_h/);
  });
});
