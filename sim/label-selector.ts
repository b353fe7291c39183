// The simulator's label selectors are the product's pure parser (domain/label-selector.ts): one syntax for
// Kubernetes' `?labelSelector=`, Argo CD's `?selector=` and an environment's `argocd.applicationSelector`.
export { matches, parseSelector, SelectorError, type Requirement } from '../domain/label-selector.js';
