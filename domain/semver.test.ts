import { describe, expect, it } from 'vitest';
import { compareTemplateKeysDesc, isProductVersion, isTemplateKey, resolutionChain } from './semver.js';

describe('resolutionChain', () => {
  it.each([
    ['2.4.1', ['2.4.1', '2.4.0', 'default']],
    ['2.4.0', ['2.4.0', 'default']],
    ['default', ['default']],
    ['2.4.1-rc.1', ['2.4.1-rc.1', '2.4.1', '2.4.0', 'default']],
    ['2.4.0-rc.1', ['2.4.0-rc.1', '2.4.0', 'default']],
    ['2.4.1+build.7', ['2.4.1', '2.4.0', 'default']],
    ['2.4.1-rc.1+build.7', ['2.4.1-rc.1', '2.4.1', '2.4.0', 'default']],
  ])('%s → %j', (version, chain) => {
    expect(resolutionChain(version)).toEqual(chain);
  });

  it.each(['v2.4.1', '2.4', '2', 'latest', '', ' 2.4.1', '2.4.1 ', '=2.4.1', '02.4.1', '2.4.1-', 'DEFAULT'])('rejects %j', (version) => {
    expect(resolutionChain(version)).toBeNull();
    expect(isProductVersion(version)).toBe(false);
  });
});

describe('template keys', () => {
  it('are semver without build metadata, or default', () => {
    expect(isTemplateKey('2.4.1')).toBe(true);
    expect(isTemplateKey('2.5.0-rc.1')).toBe(true);
    expect(isTemplateKey('default')).toBe(true);
    expect(isTemplateKey('2.4.1+b1')).toBe(false);
    expect(isTemplateKey('v2')).toBe(false);
  });
  it('sort newest version first, default last', () => {
    expect(['default', '1.0.0', '2.0.0-rc.1', '2.0.0', '10.0.0'].sort(compareTemplateKeysDesc)).toEqual([
      '10.0.0',
      '2.0.0',
      '2.0.0-rc.1',
      '1.0.0',
      'default',
    ]);
  });
});
