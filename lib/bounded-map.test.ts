import { describe, expect, it } from 'vitest';
import { BoundedMap, boundedMapsPer } from './bounded-map.js';

describe('BoundedMap', () => {
  it('drops the oldest-set entry beyond its size; setting a key again makes it the newest', () => {
    const m = new BoundedMap<string, number>(2);
    m.set('a', 1).set('b', 2).set('a', 3).set('c', 4);
    expect([...m.entries()]).toEqual([
      ['a', 3],
      ['c', 4],
    ]);
  });

  it('keeps one map per owner', () => {
    const of = boundedMapsPer<object, string, number>(1);
    const [x, y] = [{}, {}];
    of(x).set('k', 1);
    expect(of(x).get('k')).toBe(1);
    expect(of(y).size).toBe(0);
  });
});
