import { describe, expect, it } from 'vitest';
import { threadReplies } from '../../../functions/domain/notifications/sync-card.ts';

describe('threadReplies', () => {
  it('joins entries into one reply, one line each, while they fit', () => {
    expect(threadReplies(['a', 'b', 'c'], 100)).toEqual(['a\nb\nc']);
  });

  it('starts a new reply before one would pass the limit, keeping every entry and its order', () => {
    const lines = Array.from({ length: 10 }, (_, i) => `entry ${i} ${'x'.repeat(20)}`);
    const replies = threadReplies(lines, 70);
    expect(replies.length).toBeGreaterThan(1);
    expect(replies.every((r) => r.length <= 70)).toBe(true);
    expect(replies.flatMap((r) => r.split('\n'))).toEqual(lines);
  });

  it('shortens a single entry longer than the limit instead of dropping it', () => {
    const [reply] = threadReplies(['y'.repeat(200)], 50);
    expect(reply).toHaveLength(50);
    expect(reply!.endsWith('…')).toBe(true);
  });
});
