import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HiddenStateCache } from './hidden-state-cache';

describe('HiddenStateCache', () => {
  test('saves blocks of different token counts and loads them back by key', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hidden-states-'));
    try {
      const cache = new HiddenStateCache(3);
      const a = HiddenStateCache.key('enc', 4, [101, 7, 102]);
      const b = HiddenStateCache.key('enc', 4, [101, 102]);
      cache.put(a, Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]));
      cache.put(b, Float32Array.from([-1, -2, -3, -4, -5, -6]));
      cache.save(dir, 'x');
      const loaded = HiddenStateCache.load(dir, 'x', 3);
      expect(loaded.size).toBe(2);
      expect(Array.from(loaded.get(a)!)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(Array.from(loaded.get(b)!)).toEqual([-1, -2, -3, -4, -5, -6]);
      // another width is another cache
      expect(HiddenStateCache.load(dir, 'x', 4).size).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('keys depend on the layer and the token ids; a block must be whole rows', () => {
    expect(HiddenStateCache.key('enc', 4, [1, 2])).not.toBe(HiddenStateCache.key('enc', 2, [1, 2]));
    expect(HiddenStateCache.key('enc', 4, [1, 2])).not.toBe(HiddenStateCache.key('enc', 4, [12]));
    expect(() => new HiddenStateCache(3).put('k', new Float32Array(4))).toThrow(/not rows of 3/);
  });
});
