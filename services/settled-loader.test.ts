import { SettledLoader } from './settled-loader';

describe('SettledLoader', () => {
  it('answers loaded keys synchronously, others with a promise, from one batch', async () => {
    const batches: string[][] = [];
    const loader = new SettledLoader<string, string | null>(async (keys) => {
      batches.push([...keys]);
      return keys.map((k) => (k === 'none' ? null : k.toUpperCase()));
    });
    expect(loader.peek('a')).toBeUndefined();
    expect(await loader.loadMany(['a', 'b', 'none'])).toEqual(['A', 'B', null]);
    expect(loader.peek('a')).toBe('A');
    expect(loader.value('b')).toBe('B');
    expect(loader.value('none')).toBeNull(); // a loaded null is a value, not "not loaded"
    const later = loader.value('c');
    expect(later).toBeInstanceOf(Promise);
    expect(await later).toBe('C');
    expect(batches).toEqual([['a', 'b', 'none'], ['c']]);
  });

  it('does not remember a failed batch: load reports the error', async () => {
    const loader = new SettledLoader<string, string>(async () => {
      throw new Error('database down');
    });
    const [result] = await loader.loadMany(['a']);
    expect(result).toBeInstanceOf(Error);
    expect(loader.peek('a')).toBeUndefined();
    await expect(loader.value('a') as Promise<string>).rejects.toThrow('database down');
  });
});
