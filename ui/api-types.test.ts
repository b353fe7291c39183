// ui/src/api-types.ts is generated from the API's OpenAPI document and checked in: this test regenerates it in
// memory and fails when the committed file no longer matches the API. The type assertions below fail `tsc` when
// a name in ui/src/types.ts no longer finds its path, method or status in the document (it would become never).
import { readFile } from 'node:fs/promises';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { API_TYPES_FILE, REGENERATE_COMMAND, generateApiTypes } from '../scripts/gen-api-types.js';
import type * as T from './src/types.js';

describe('ui/src/api-types.ts', () => {
  it('matches the OpenAPI document the API serves', async () => {
    const [committed, generated] = await Promise.all([readFile(API_TYPES_FILE, 'utf8'), generateApiTypes()]);
    expect(committed === generated, `ui/src/api-types.ts is stale: run \`${REGENERATE_COMMAND}\` and commit the result`).toBe(true);
  });

  it('names only shapes the document has', () => {
    expectTypeOf<T.TokenSelf>().not.toBeNever();
    expectTypeOf<T.DeploymentSummary>().not.toBeNever();
    expectTypeOf<T.DeploymentDetails>().not.toBeNever();
    expectTypeOf<T.DeploymentPage['deployments'][number]>().not.toBeNever();
    expectTypeOf<T.OperatorActionResult>().not.toBeNever();
    expectTypeOf<T.ReleaseComparison>().not.toBeNever();
    expectTypeOf<T.EnvironmentView>().not.toBeNever();
    expectTypeOf<T.EnvironmentList['environments'][number]>().not.toBeNever();
    expectTypeOf<T.ReleasePage>().not.toBeNever();
    expectTypeOf<T.ReleaseDetails>().not.toBeNever();
    expectTypeOf<T.CreatedRelease>().not.toBeNever();
    expectTypeOf<T.TemplateRevision>().not.toBeNever();
    expectTypeOf<T.RenderResult>().not.toBeNever();
    expectTypeOf<T.PromotionAccepted>().not.toBeNever();
    // A deployment's changes and a comparison render through the same table.
    expectTypeOf<T.ReleaseComparison>().toExtend<T.ReleaseDiff>();
  });
});
