import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildTimeline,
  dayKey,
  linkify,
  previewText,
  seenBy,
  typingText,
  uploadProblem,
} from './chat-timeline.ts';
import type { ChatMessage } from './chat-types.ts';

function message(
  id: string,
  userId: string,
  createdAt: string,
  change: Partial<ChatMessage> = {},
): ChatMessage {
  return {
    id,
    text: id,
    userId,
    userName: userId,
    createdAt,
    deleted: false,
    attachments: [],
    reactionCounts: {},
    ownReactions: [],
    replyCount: 0,
    pinned: false,
    status: 'sent',
    ...change,
  };
}

describe('dayKey', () => {
  it('gives the day in the zone asked for, and the local day by default', () => {
    assert.equal(dayKey('2026-11-25T23:30:00Z', 'UTC'), '2026-11-25');
    assert.equal(dayKey('2026-11-25T23:30:00Z', 'Asia/Tokyo'), '2026-11-26');
    assert.equal(dayKey('2026-11-25T23:30:00Z', 'America/Los_Angeles'), '2026-11-25');
    const local = Intl.DateTimeFormat().resolvedOptions().timeZone;
    for (const iso of ['2026-01-01T00:30:00Z', '2026-06-30T23:59:00Z', '2026-11-25T12:00:00Z']) {
      assert.equal(dayKey(iso), dayKey(iso, local));
    }
  });
});

describe('buildTimeline', () => {
  it('puts a day separator before the first message of each day', () => {
    const items = buildTimeline(
      [
        message('a', 'ada', '2026-11-25T10:00:00Z'),
        message('b', 'ada', '2026-11-25T10:01:00Z'),
        message('c', 'ada', '2026-11-26T09:00:00Z'),
      ],
      'UTC',
    );
    assert.deepEqual(
      items.map((item) => (item.kind === 'day' ? item.day : item.message.id)),
      ['2026-11-25', 'a', 'b', '2026-11-26', 'c'],
    );
  });

  it('groups consecutive messages of one author within five minutes, and starts a new group otherwise', () => {
    const items = buildTimeline(
      [
        message('a', 'ada', '2026-11-25T10:00:00Z'),
        message('b', 'ada', '2026-11-25T10:04:00Z'),
        message('c', 'sam', '2026-11-25T10:05:00Z'),
        message('d', 'sam', '2026-11-25T10:20:00Z'),
      ],
      'UTC',
    ).filter((item) => item.kind === 'message');
    assert.deepEqual(
      items.map((item) => [item.message.id, item.first, item.last]),
      [
        ['a', true, false],
        ['b', false, true],
        ['c', true, true],
        ['d', true, true],
      ],
    );
  });

  it('uses the given time zone for day boundaries', () => {
    const items = buildTimeline([message('a', 'ada', '2026-11-25T23:30:00Z')], 'Asia/Tokyo');
    assert.equal(items[0]?.kind === 'day' && items[0].day, '2026-11-26');
  });
});

describe('linkify', () => {
  it('makes http, https and mailto links, leaving trailing punctuation as text', () => {
    assert.deepEqual(linkify('See https://example.edu/a?b=1, or mail mailto:ada@example.edu.'), [
      { kind: 'text', text: 'See ' },
      { kind: 'link', text: 'https://example.edu/a?b=1', href: 'https://example.edu/a?b=1' },
      { kind: 'text', text: ', or mail ' },
      { kind: 'link', text: 'mailto:ada@example.edu', href: 'mailto:ada@example.edu' },
      { kind: 'text', text: '.' },
    ]);
  });

  it('never links javascript:, data: or markup', () => {
    for (const text of [
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      '<a href="javascript:alert(1)">x</a>',
      'JaVaScRiPt:alert(1)',
    ]) {
      assert.ok(
        linkify(text).every((part) => part.kind === 'text'),
        text,
      );
    }
  });

  it('keeps the text whole', () => {
    const text = 'a http://x.test b <img onerror=x> c';
    assert.equal(
      linkify(text)
        .map((part) => part.text)
        .join(''),
      text,
    );
  });
});

describe('seenBy', () => {
  it('lists the members whose last read is at or after the message, not its author nor me', () => {
    const last = message('a', 'ada', '2026-11-25T10:00:00Z');
    const reads = [
      { userId: 'ada', userName: 'Ada', lastReadAt: '2026-11-25T11:00:00Z' },
      { userId: 'sam', userName: 'Sam', lastReadAt: '2026-11-25T10:00:00Z' },
      { userId: 'kim', userName: 'Kim', lastReadAt: '2026-11-25T09:59:00Z' },
    ];
    assert.deepEqual(
      seenBy(last, reads, 'ada').map((read) => read.userName),
      ['Sam'],
    );
  });
});

describe('typingText, previewText and uploadProblem', () => {
  it('says who is typing', () => {
    assert.equal(typingText([]), '');
    assert.equal(typingText(['Ada']), 'Ada is typing…');
    assert.equal(typingText(['Ada', 'Sam']), 'Ada and Sam are typing…');
    assert.equal(typingText(['Ada', 'Sam', 'Kim']), '3 people are typing…');
  });

  it('previews text, attachments and deletions in one line', () => {
    const at = '2026-11-25T10:00:00Z';
    assert.equal(previewText(message('a', 'ada', at, { text: 'two\nlines' })), 'two lines');
    assert.equal(previewText(message('a', 'ada', at, { deleted: true })), 'Message deleted');
    assert.equal(
      previewText(
        message('a', 'ada', at, {
          text: '',
          attachments: [{ kind: 'image', url: 'https://x.test/a.png', name: 'a' }],
        }),
      ),
      'Photo',
    );
  });

  it('refuses empty and oversized files in words', () => {
    assert.equal(uploadProblem({ name: 'a.txt', size: 10 }), undefined);
    assert.equal(uploadProblem({ name: 'a.txt', size: 0 }), '“a.txt” is empty.');
    assert.equal(
      uploadProblem({ name: 'big.mov', size: 30 * 1024 * 1024 }, 25 * 1024 * 1024),
      '“big.mov” is 30 MB; files can be at most 25 MB.',
    );
  });
});
