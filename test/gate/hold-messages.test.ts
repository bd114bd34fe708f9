import { describe, expect, it } from 'vitest';
import { codeBlock, didYouMean, listOf, when } from '../../src/gate/hold-messages.js';

describe('message helpers', () => {
  it('suggests the nearest spelling first, then a prefix, else nothing', () => {
    expect(didYouMean('refs', ['app', 'ref', 'env'])).toBe('ref');
    expect(didYouMean('hotdash-stagin', ['hotdash', 'hotdash-staging'])).toBe('hotdash-staging');
    expect(didYouMean('smoketests', ['smoke', 'flags'])).toBe('smoke');
    expect(didYouMean('owner', ['app', 'ref', 'env'])).toBeUndefined();
  });

  it('fences code with more backticks than it contains', () => {
    expect(codeBlock('a')).toBe('```\na\n```');
    expect(codeBlock('```deploy', 'md')).toBe('````md\n```deploy\n````');
  });

  it('lists and dates the way messages need', () => {
    expect(listOf(['a'], 'or')).toBe('a');
    expect(listOf(['a', 'b', 'c'], 'and')).toBe('a, b and c');
    expect(when(new Date('2026-11-25T09:10:42Z'))).toBe('2026-11-25 09:10 UTC');
  });
});
