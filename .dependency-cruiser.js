// Layering check (`npm run lint:layers`, run by .ci/run): every floor imports only the floors below it.
//
//   domain/        pure rules and schemas: imports nothing of the project but domain/
//   lib/           config, logger, secrets (domain)
//   db/, gitops/   persistence and the GitOps engine (domain, lib)
//   integrations/  clients of Argo CD and Kubernetes (domain, lib)
//   activities/    promotion steps (domain, lib, db, gitops, integrations; workflows as types only)
//   workflows/     Temporal sandbox code (domain, workflows; activities as types only)
//   worker.ts      the worker process (everything above except api)
//   api/           the HTTP API (everything below, workflows' message modules; activities and workflow bodies as types)
//   sim/           the Argo CD + Kubernetes simulator (domain, lib, gitops, integrations' wire schemas)
//   dev/, scripts/ development plumbing and tools: any product code and sim/
//   ui/            the browser app: API types, and at run time only the pure domain/promotion.ts and text-diff.ts
//   test/, bench/, *.test.ts and config files: anything
//
// Product code never imports test/, bench/, sim/ or dev/, and nothing imports in a circle. Rules are written as
// "a floor may import only these folders"; Node built-ins and npm packages are not constrained here (ESLint
// keeps Node built-ins out of workflows/).

/** Folders and files that belong to the project (anything else is a package or a Node built-in). */
const PROJECT = '^(activities|api|bench|cli|db|dev|domain|gitops|integrations|lib|scripts|sim|test|ui|workflows)/|^worker\\.ts$';

/** Files the floor rules do not apply to: tests sit next to the code and may reach anything, as may configs. */
const UNCONSTRAINED = ['\\.test\\.ts$', '(^|/)[^/]*\\.config\\.[cm]?[jt]s$'];

/**
 * Rules for one floor: the files in `from` may import, at run time, only the project folders in `allowed`, and
 * the folders in `typeOnly` through `import type` (erased at build time); an `allowed` path inside a `typeOnly`
 * folder may be imported at run time.
 */
function floor(name, { from, allowed, typeOnly = [], comment }) {
  const source = { path: from, pathNot: UNCONSTRAINED };
  const rules = [
    {
      name: `${name}-imports-only-lower-floors`,
      severity: 'error',
      comment,
      from: source,
      to: { path: PROJECT, pathNot: [...allowed, ...typeOnly] },
    },
  ];
  if (typeOnly.length > 0) {
    rules.push({
      name: `${name}-type-only-imports`,
      severity: 'error',
      comment: `${name} may import ${typeOnly.join(', ')} as types only (import type …).`,
      from: source,
      to: { path: typeOnly, pathNot: allowed, dependencyTypesNot: ['type-only'] },
    });
  }
  return rules;
}

const PRODUCT = ['^domain/', '^lib/', '^db/', '^gitops/', '^integrations/', '^activities/', '^workflows/', '^worker\\.ts$', '^api/'];

export default {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules that import each other (directly or through others) cannot be understood or split alone.',
      from: {},
      to: { circular: true },
    },
    ...floor('domain', {
      from: ['^domain/'],
      allowed: ['^domain/'],
      comment: 'domain/ is pure: it imports nothing of the project but domain/.',
    }),
    ...floor('lib', { from: ['^lib/'], allowed: ['^domain/', '^lib/'], comment: 'lib/ is the ground floor: config, logger, secrets.' }),
    ...floor('db', { from: ['^db/'], allowed: ['^domain/', '^lib/', '^db/'], comment: 'db/ builds on domain/ and lib/ only.' }),
    ...floor('gitops', {
      from: ['^gitops/'],
      allowed: ['^domain/', '^lib/', '^gitops/'],
      comment: 'gitops/ builds on domain/ and lib/ only.',
    }),
    ...floor('integrations', {
      from: ['^integrations/'],
      allowed: ['^domain/', '^lib/', '^integrations/'],
      comment: 'integrations/ builds on domain/ and lib/ only.',
    }),
    ...floor('activities', {
      from: ['^activities/'],
      // Like the API, the monitor's auto-rollback starts promotions through the promotion's message module, and the
      // notification dispatcher starts delivery workflows through theirs.
      allowed: [
        '^domain/',
        '^lib/',
        '^db/',
        '^gitops/',
        '^integrations/',
        '^workflows/(promotion-messages|notify-messages|auto-promotion-messages|search-attributes)\\.ts$',
        '^activities/',
      ],
      typeOnly: ['^workflows/'],
      comment: 'Activities are built from db/, gitops/ and integrations/; they never reach up into api/ or the workflow code.',
    }),
    ...floor('workflows', {
      from: ['^workflows/'],
      allowed: ['^domain/', '^workflows/'],
      typeOnly: ['^activities/'],
      comment: 'Workflow code runs in the Temporal sandbox: it orchestrates, and sees activities as types only.',
    }),
    ...floor('worker', {
      from: ['^worker\\.ts$'],
      allowed: ['^domain/', '^lib/', '^db/', '^gitops/', '^integrations/', '^activities/', '^workflows/'],
      comment: 'The worker process wires activities and workflows; it does not serve the API.',
    }),
    ...floor('api', {
      from: ['^api/'],
      allowed: [
        '^domain/',
        '^lib/',
        '^db/',
        '^gitops/',
        '^integrations/',
        '^workflows/(promotion-messages|auto-promotion-messages|monitor-messages|notify-messages|search-attributes)\\.ts$',
        '^api/',
      ],
      typeOnly: ['^activities/', '^workflows/'],
      comment:
        'The API starts and signals workflows through their message modules (never the workflow bodies at run time); it never runs activities.',
    }),
    ...floor('sim', {
      from: ['^sim/'],
      allowed: ['^domain/', '^lib/', '^gitops/', '^integrations/', '^sim/'],
      comment:
        'The simulator stands in for Argo CD and Kubernetes: it may share the wire schemas in integrations/, never the product above.',
    }),
    ...floor('dev', {
      from: ['^dev/', '^scripts/'],
      allowed: [...PRODUCT, '^sim/', '^dev/', '^scripts/'],
      comment: 'Development plumbing and tools may use the whole product and the simulator, never the test kits or benchmarks.',
    }),
    ...floor('cli', {
      from: ['^cli/'],
      allowed: ['^cli/', '^domain/promotion\\.ts$'],
      typeOnly: ['^ui/src/api-types\\.ts$'],
      comment: 'flowctl talks to the API only: the generated API types and the pure promotion vocabulary, nothing of the server.',
    }),
    ...floor('ui', {
      from: ['^ui/'],
      allowed: ['^ui/', '^domain/promotion\\.ts$', '^domain/text-diff\\.ts$'],
      typeOnly: PRODUCT,
      comment: 'The UI runs in the browser: only types cross from the server side, plus the pure promotion vocabulary and text diff.',
    }),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|\\.tools|\\.data|dist|build|ui/dist|coverage)/' },
    // Sees `import type` (and imports whose names are all types) so the type-only rules can tell them apart.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
