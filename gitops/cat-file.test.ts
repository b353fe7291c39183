// Splitting `git cat-file --batch` output (pure; the reads against real repositories are in commit-queue.test.ts).
import { describe, expect, it } from 'vitest';
import { parseBatch } from './cat-file.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

describe('parseBatch', () => {
  it('splits objects by their byte sizes, multi-byte text and missing names included', () => {
    const text = 'é: ünïcode\n';
    const out = `${A} commit 4\ntree\n${B} blob ${Buffer.byteLength(text)}\n${text}\nHEAD:nope missing\n`;
    expect(parseBatch(out, 3)).toEqual([{ oid: A, type: 'commit', content: 'tree' }, { oid: B, type: 'blob', content: text }, undefined]);
  });

  it('gives up (the caller reads file by file) when the output does not split exactly', () => {
    expect(parseBatch(`${B} blob 5\ncaf\uFFFD\n`, 1)).toBeUndefined(); // bytes that were not UTF-8
    expect(parseBatch(`${B} blob 3\nabcd\n`, 1)).toBeUndefined(); // sizes off
    expect(parseBatch(`${B} blob 3\nabc\n${A} blob 1\nx\n`, 1)).toBeUndefined(); // more than asked for
    expect(parseBatch(`${B} blob 3\nabc\n`, 2)).toBeUndefined(); // less
    expect(parseBatch(`fatal: something\n`, 1)).toBeUndefined();
  });
});
