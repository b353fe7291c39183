import { describe, expect, it } from 'vitest';
import { isAllowed, type Role } from './roles.js';

const cases: Array<[Role, string[], Role, string | undefined, boolean]> = [
  ['viewer', [], 'viewer', undefined, true],
  ['viewer', [], 'releaser', undefined, false],
  ['releaser', [], 'viewer', undefined, true],
  ['releaser', [], 'releaser', undefined, true],
  ['releaser', [], 'promoter', 'dev', false],
  ['promoter', ['staging'], 'promoter', 'staging', true],
  ['promoter', ['staging'], 'promoter', 'prod', false],
  ['promoter', ['*'], 'promoter', 'prod', true],
  ['promoter', ['staging'], 'releaser', undefined, true],
  ['promoter', ['staging'], 'viewer', 'prod', true],
  ['promoter', ['*'], 'admin', undefined, false],
  ['admin', [], 'promoter', 'prod', true],
  ['admin', [], 'admin', undefined, true],
];

describe('isAllowed', () => {
  it.each(cases)('%s %j needs %s on %s → %s', (role, scopes, required, environment, expected) => {
    expect(isAllowed({ role, scopes }, { role: required, ...(environment ? { environment } : {}) })).toBe(expected);
  });
});
