// Generated from the API's OpenAPI document by scripts/gen-api-types.ts. Do not edit: run `npm run gen:api-types`.
// The UI names the shapes it reads in ui/src/types.ts.

export interface paths {
  '/healthz': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Liveness of the API and reachability of its dependencies */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description All dependencies reachable */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Health'];
          };
        };
        /** @description At least one dependency unreachable */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Health'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/livez': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Liveness: the process serves requests (no dependency is called) */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Serving */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Live'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/metrics': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Prometheus metrics (text format 0.0.4); bearer METRICS_TOKEN when configured */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The exposition */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'text/plain': string;
          };
        };
        /** @description METRICS_TOKEN is set and the request does not carry it */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/readyz': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Readiness: Postgres and Temporal reachable (503 otherwise) */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description All dependencies reachable */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Health'];
          };
        };
        /** @description At least one dependency unreachable */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Health'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/audit': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List audit events (newest first: by time, then id) */
    get: {
      parameters: {
        query?: {
          action?: string;
          /** @description Token name */
          actor?: string;
          actorTokenId?: string;
          /** @description Opaque: the nextCursor of the previous page */
          cursor?: string;
          limit?: number;
          since?: string;
          subjectId?: string;
          subjectType?: string;
          until?: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description A page of audit events */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              events: components['schemas']['AuditEvent'][];
              nextCursor: string | null;
            };
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Token lacks the required role or scope */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/environments': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Environments in display order, with current release, last deployment and live Argo CD status */
    get: {
      parameters: {
        query?: {
          /** @description Include live Argo CD status (read at most every LIVE_STATUS_CACHE_TTL_MS per environment, shared by all viewers) */
          live?: 'true' | 'false';
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Environments */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              environments: components['schemas']['Environment'][];
            };
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/environments/{env}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One environment */
    get: {
      parameters: {
        query?: {
          /** @description Include live Argo CD status (read at most every LIVE_STATUS_CACHE_TTL_MS per environment, shared by all viewers) */
          live?: 'true' | 'false';
        };
        header?: never;
        path: {
          env: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The environment */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Environment'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    /**
     * Create or update an environment (admin)
     * @description Credentials are references (`env:NAME` or `file:/path`), resolved when a step needs them; literal secrets are rejected (400). References outside the installation policy (`env:` without the FC_SECRET_ENV_PREFIX prefix, `file:` outside FC_SECRETS_DIR or with `..`), credentials inside a URL, and hosts outside FC_ALLOWED_HOSTS are rejected with 422 ENVIRONMENT_INVALID naming the field (verification checks included: check URLs, Prometheus servers, header secretRef and tokenRef). Image mappings (`gitops.mapping`, `gitops.groups`) whose files resolve without a release are checked against the branch: a missing file or YAML path is 422 ENVIRONMENT_INVALID naming the field, the file and the path; a repository that cannot be reached is 503 GIT_UNAVAILABLE. Nothing is saved on failure; a configuration without such mappings does not contact Git.
     */
    put: {
      parameters: {
        query?: {
          /** @description true: run the preflight on the submitted configuration and answer its report (200) without saving anything */
          dryRun?: 'true' | 'false';
        };
        header?: never;
        path: {
          env: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            /** @default 0 */
            approvalsRequired?: number;
            /** @default 86400 */
            approvalTimeoutSeconds?: number;
            /** @default 0 */
            approvalWaitSeconds?: number;
            /** @default [] */
            approvers?: string[];
            argocd: {
              applicationPattern?: string;
              applicationSelector?: string;
              groupLabel?: string;
              passwordRef?: string;
              /** @default default */
              project?: string;
              /** Format: uri */
              serverUrl: string;
              /** @enum {string} */
              syncMode?: 'explicit' | 'auto' | 'detect';
              tokenRef?: string;
              usernameRef?: string;
            };
            autoPromote?: {
              from: string;
              /** @default 0 */
              soakSeconds?: number;
              /**
               * @default succeeded
               * @enum {string}
               */
              when?: 'succeeded' | 'verified';
            };
            clusterName?: string;
            clusters?: {
              argocd: {
                applicationPattern?: string;
                applicationSelector?: string;
                groupLabel?: string;
                passwordRef?: string;
                /** @default default */
                project?: string;
                /** Format: uri */
                serverUrl: string;
                /** @enum {string} */
                syncMode?: 'explicit' | 'auto' | 'detect';
                tokenRef?: string;
                usernameRef?: string;
              };
              kubernetes: {
                caData?: string;
                namespace: string;
                /** Format: uri */
                server: string;
                /** @default false */
                skipTLSVerify?: boolean;
                tokenRef: string;
              };
              name: string;
            }[];
            /** @default 600 */
            convergenceDeadlineSeconds?: number;
            /** @default 60 */
            degradedGraceSeconds?: number;
            displayOrder: number;
            gitops: {
              /** @default main */
              branch?: string;
              credentials?:
                | {
                    tokenRef: string;
                    /** @enum {string} */
                    type: 'https-token';
                    username?: string;
                  }
                | {
                    privateKeyRef: string;
                    /** @enum {string} */
                    type: 'ssh-key';
                  };
              groups?: {
                [key: string]: {
                  mapping?:
                    | {
                        file?: string;
                        /** @enum {string} */
                        type: 'flow-workloads';
                      }
                    | {
                        containers?: {
                          [key: string]: {
                            digest?: string;
                            registry?: string;
                            repository: string;
                            tag?: string;
                          };
                        };
                        descriptorDigest?: string;
                        file: string;
                        releaseId?: string;
                        /** @enum {string} */
                        type: 'helm-values';
                      }
                    | {
                        file: string;
                        images?: {
                          [key: string]: string;
                        };
                        releaseAnnotations?: boolean;
                        /** @enum {string} */
                        type: 'kustomize';
                      }
                    | {
                        file: string;
                        releaseAnnotations?: boolean;
                        /** @enum {string} */
                        type: 'manifests';
                        workload?: {
                          /** @enum {string} */
                          kind?: 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'CronJob';
                          name?: string;
                        };
                      };
                  services?: {
                    [key: string]:
                      | {
                          file?: string;
                          /** @enum {string} */
                          type: 'flow-workloads';
                        }
                      | {
                          containers?: {
                            [key: string]: {
                              digest?: string;
                              registry?: string;
                              repository: string;
                              tag?: string;
                            };
                          };
                          descriptorDigest?: string;
                          file: string;
                          releaseId?: string;
                          /** @enum {string} */
                          type: 'helm-values';
                        }
                      | {
                          file: string;
                          images?: {
                            [key: string]: string;
                          };
                          releaseAnnotations?: boolean;
                          /** @enum {string} */
                          type: 'kustomize';
                        }
                      | {
                          file: string;
                          releaseAnnotations?: boolean;
                          /** @enum {string} */
                          type: 'manifests';
                          workload?: {
                            /** @enum {string} */
                            kind?: 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'CronJob';
                            name?: string;
                          };
                        };
                  };
                };
              };
              mapping?:
                | {
                    file?: string;
                    /** @enum {string} */
                    type: 'flow-workloads';
                  }
                | {
                    containers?: {
                      [key: string]: {
                        digest?: string;
                        registry?: string;
                        repository: string;
                        tag?: string;
                      };
                    };
                    descriptorDigest?: string;
                    file: string;
                    releaseId?: string;
                    /** @enum {string} */
                    type: 'helm-values';
                  }
                | {
                    file: string;
                    images?: {
                      [key: string]: string;
                    };
                    releaseAnnotations?: boolean;
                    /** @enum {string} */
                    type: 'kustomize';
                  }
                | {
                    file: string;
                    releaseAnnotations?: boolean;
                    /** @enum {string} */
                    type: 'manifests';
                    workload?: {
                      /** @enum {string} */
                      kind?: 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'CronJob';
                      name?: string;
                    };
                  };
              /** @default environments/{env}/{group}/values.yaml */
              pathPattern?: string;
              repoUrl: string;
            };
            kubernetes: {
              caData?: string;
              namespace: string;
              /** Format: uri */
              server: string;
              /** @default false */
              skipTLSVerify?: boolean;
              tokenRef: string;
            };
            monitoring?: {
              /** @default true */
              enabled?: boolean;
              /** @default 15 */
              intervalSeconds?: number;
              /**
               * @default alert
               * @enum {string}
               */
              policy?: 'alert' | 'resync' | 'rollback';
              rollbackParkedAfterSeconds?: number;
              /** @default 60 */
              sustainSeconds?: number;
            };
            /** @default false */
            protected?: boolean;
            /** @enum {string} */
            queuePolicy?: 'fifo' | 'newest-wins';
            /** @default [] */
            upstream?: string[];
            /** @enum {string} */
            upstreamRequires?: 'succeeded' | 'verified';
            verification?: {
              /** @default [] */
              checks?: (
                | {
                    /** @default 60 */
                    durationSeconds?: number;
                    /** @default 200 */
                    expectStatus?: number;
                    expectValue?: string | number | boolean | null;
                    headers?: {
                      [key: string]:
                        | {
                            value: string;
                          }
                        | {
                            secretRef: string;
                          };
                    };
                    /** @default 10 */
                    intervalSeconds?: number;
                    jsonPath?: string;
                    /** @enum {string} */
                    kind: 'http';
                    /**
                     * @default GET
                     * @enum {string}
                     */
                    method?: 'GET' | 'HEAD' | 'POST';
                    name: string;
                    /** @default 1 */
                    successesRequired?: number;
                    /** @default 5 */
                    timeoutSeconds?: number;
                    url: string;
                  }
                | {
                    /** @default 60 */
                    durationSeconds?: number;
                    /** @default 10 */
                    intervalSeconds?: number;
                    /** @enum {string} */
                    kind: 'prometheus';
                    name: string;
                    /**
                     * @default fail
                     * @enum {string}
                     */
                    noData?: 'pass' | 'fail';
                    /** @enum {string} */
                    op: '<' | '<=' | '>' | '>=' | '==' | '!=';
                    query: string;
                    /** Format: uri */
                    serverUrl: string;
                    threshold: number;
                    /** @default 5 */
                    timeoutSeconds?: number;
                    tokenRef?: string;
                  }
                | {
                    /** @default 60 */
                    durationSeconds?: number;
                    /** @default 10 */
                    intervalSeconds?: number;
                    /** @enum {string} */
                    kind: 'argocd-health';
                    name: string;
                  }
              )[];
              /**
               * @default park
               * @enum {string}
               */
              onFailure?: 'park' | 'rollback';
              /** @default 0 */
              soakSeconds?: number;
            };
          };
        };
      };
      responses: {
        /** @description Updated; with dryRun=true the preflight report of the submitted configuration (nothing saved) */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Environment'] | components['schemas']['PreflightReport'];
          };
        };
        /** @description Created */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Environment'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Token lacks the required role or scope */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Content-Type must be application/json */
        415: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Request is well-formed but violates the rules */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description A dependency did not answer */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/environments/{env}/auto-promotion': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The environment's auto-promotion: its rule, hold, candidate and what it waits for */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          env: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Auto-promotion */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['AutoPromotion'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/environments/{env}/auto-promotion/hold': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Hold the environment’s auto-promotion (it starts nothing until resumed) */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          env: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            reason: string;
          };
        };
      };
      responses: {
        /** @description Held */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['AutoPromotionHold'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Token lacks the required role or scope */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Conflict with the current state */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Content-Type must be application/json */
        415: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/environments/{env}/auto-promotion/resume': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Resume a held auto-promotion */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          env: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            reason: string;
          };
        };
      };
      responses: {
        /** @description Resumed */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['AutoPromotionHold'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Token lacks the required role or scope */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Conflict with the current state */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Content-Type must be application/json */
        415: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/environments/{env}/deployment-history': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Deployment history of an environment, newest first */
    get: {
      parameters: {
        query?: {
          /** @description Opaque: the nextCursor of the previous page */
          cursor?: string;
          limit?: number;
          releaseId?: string;
          status?:
            | 'queued'
            | 'pending'
            | 'scheduled'
            | 'awaiting_approval'
            | 'running'
            | 'awaiting_operator'
            | 'succeeded'
            | 'failed'
            | 'aborted'
            | 'superseded';
        };
        header?: never;
        path: {
          env: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description A page of deployments */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              deployments: components['schemas']['DeploymentSummary'][];
              nextCursor: string | null;
            };
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/environments/{env}/deployment-history/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One deployment: status, people, timestamps, commit, every step, component changes */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          env: string;
          id: number;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The deployment */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['DeploymentDetails'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/environments/{env}/deployment-history/{id}/abort': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Abort a promotion (reverting a pushed commit unless leaveGit) */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          env: string;
          id: number;
        };
        cookie?: never;
      };
      requestBody?: {
        content: {
          'application/json': {
            comment?: string;
            /**
             * @description retry only: restart from this step (the failed step or an earlier forward step)
             * @enum {string}
             */
            fromStep?:
              | 'approval'
              | 'render-values'
              | 'git-commit-push'
              | 'argocd-refresh'
              | 'argocd-sync'
              | 'argocd-wait'
              | 'verify-images'
              | 'verify'
              | 'record';
            /** @description abort only: keep the pushed commit in Git (no revert) */
            leaveGit?: boolean;
          };
        };
      };
      responses: {
        /** @description Accepted by the workflow */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['OperatorActionResult'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Token lacks the required role or scope */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Conflict with the current state */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description A dependency did not answer */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/environments/{env}/deployment-history/{id}/approve': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Approve a promotion waiting at the approval gate */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          env: string;
          id: number;
        };
        cookie?: never;
      };
      requestBody?: {
        content: {
          'application/json': {
            comment?: string;
            /**
             * @description retry only: restart from this step (the failed step or an earlier forward step)
             * @enum {string}
             */
            fromStep?:
              | 'approval'
              | 'render-values'
              | 'git-commit-push'
              | 'argocd-refresh'
              | 'argocd-sync'
              | 'argocd-wait'
              | 'verify-images'
              | 'verify'
              | 'record';
            /** @description abort only: keep the pushed commit in Git (no revert) */
            leaveGit?: boolean;
          };
        };
      };
      responses: {
        /** @description Accepted by the workflow */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['OperatorActionResult'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Token lacks the required role or scope */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Conflict with the current state */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description A dependency did not answer */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/environments/{env}/deployment-history/{id}/reject': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Reject a promotion waiting at the approval gate (ends it aborted; the comment is the reason) */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          env: string;
          id: number;
        };
        cookie?: never;
      };
      requestBody?: {
        content: {
          'application/json': {
            comment?: string;
            /**
             * @description retry only: restart from this step (the failed step or an earlier forward step)
             * @enum {string}
             */
            fromStep?:
              | 'approval'
              | 'render-values'
              | 'git-commit-push'
              | 'argocd-refresh'
              | 'argocd-sync'
              | 'argocd-wait'
              | 'verify-images'
              | 'verify'
              | 'record';
            /** @description abort only: keep the pushed commit in Git (no revert) */
            leaveGit?: boolean;
          };
        };
      };
      responses: {
        /** @description Accepted by the workflow */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['OperatorActionResult'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Token lacks the required role or scope */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Conflict with the current state */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description A dependency did not answer */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/environments/{env}/deployment-history/{id}/retry': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Run the failed step of a parked promotion again */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          env: string;
          id: number;
        };
        cookie?: never;
      };
      requestBody?: {
        content: {
          'application/json': {
            comment?: string;
            /**
             * @description retry only: restart from this step (the failed step or an earlier forward step)
             * @enum {string}
             */
            fromStep?:
              | 'approval'
              | 'render-values'
              | 'git-commit-push'
              | 'argocd-refresh'
              | 'argocd-sync'
              | 'argocd-wait'
              | 'verify-images'
              | 'verify'
              | 'record';
            /** @description abort only: keep the pushed commit in Git (no revert) */
            leaveGit?: boolean;
          };
        };
      };
      responses: {
        /** @description Accepted by the workflow */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['OperatorActionResult'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Token lacks the required role or scope */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Conflict with the current state */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description A dependency did not answer */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/environments/{env}/freeze': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Whether promotions to the environment are frozen now (or at `at`), why, and when it opens */
    get: {
      parameters: {
        query?: {
          at?: string;
        };
        header?: never;
        path: {
          env: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Freeze state */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['FreezeState'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/environments/{env}/incidents': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Incident history of an environment, newest first */
    get: {
      parameters: {
        query?: {
          /** @description Opaque: the nextCursor of the previous page */
          cursor?: string;
          kind?: 'drift' | 'degraded' | 'missing' | 'out-of-sync' | 'verification-failed';
          limit?: number;
          /** @description true: open only; false: resolved only; absent: all */
          open?: 'true' | 'false';
        };
        header?: never;
        path: {
          env: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description A page of incidents */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              incidents: components['schemas']['Incident'][];
              nextCursor: string | null;
            };
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/environments/{env}/pause': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Stop the line: no promotion starts in the environment, running ones park at their next step */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          env: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            reason: string;
          };
        };
      };
      responses: {
        /** @description Paused */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Pause'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Token lacks the required role or scope */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Conflict with the current state */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Content-Type must be application/json */
        415: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/environments/{env}/preflight': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Check Git, Argo CD and Kubernetes before a promotion (admin, or promoter with the environment in scope)
     * @description Read-only. Git: reachable with the configured credentials, branch, every values file exists and renders, and the diff the next promotion of the current release would make. Argo CD: reachable, authenticated, each Application exists in the project, reads this repository/branch/values file, auto-sync (warning when on) and sync windows. Kubernetes: reachable with the token, namespace, workloads readable. The Argo CD and Kubernetes checks run for every cluster the environment spans (`cluster` names it). `status` is the worst check. Failing checks are reported in the body (200), not as HTTP errors.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          env: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The preflight report */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['PreflightReport'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Token lacks the required role or scope */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/environments/{env}/queue': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Promotions waiting in the environment queue, in the order they will start */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          env: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The queue */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['EnvironmentQueue'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/environments/{env}/resume': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Resume a paused environment (parked promotions can then be retried) */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          env: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            reason: string;
          };
        };
      };
      responses: {
        /** @description Resumed */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Pause'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Token lacks the required role or scope */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Conflict with the current state */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Content-Type must be application/json */
        415: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/environments/{env}/reverify': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The latest re-verification of an environment and its outcome */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          env: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The latest re-verification */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['ReverifyRun'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description A dependency did not answer */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    /**
     * Run the verification checks again against the current release (admin, or promoter with the environment in scope)
     * @description Starts the workflow reverifyEnvironment (one per environment at a time) and answers 202 at once; poll GET on the same path. A failed re-verification revokes the release verification in this environment (no longer eligible where upstream must be verified) and opens a verification-failed incident with the evidence. 409 NO_CURRENT_RELEASE when nothing is current, PROMOTION_IN_PROGRESS while a promotion is active there, REVERIFY_IN_PROGRESS while a re-verification runs; 422 NO_VERIFICATION_CHECKS without checks.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          env: string;
        };
        cookie?: never;
      };
      requestBody?: {
        content: {
          'application/json': components['schemas']['ReverifyRequest'];
        };
      };
      responses: {
        /** @description Re-verification started */
        202: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['ReverifyRun'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Token lacks the required role or scope */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Conflict with the current state */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Request is well-formed but violates the rules */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description A dependency did not answer */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/environments/{env}/status': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Current release, its verification, live state per application and open incidents */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          env: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The environment as the monitor sees it */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['EnvironmentStatus'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/events': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Live event stream (Server-Sent Events)
     * @description Every transition, in order: `deployment` (status, step, message), `step` (a step row changed), `operator-action`, `verification`, `incident`, `freeze`, `rejection`, `pause`. Each event has `id: <position>`; reconnect with `Last-Event-ID` (or `?after=`) to resume exactly after it. Without one, the stream starts now. A stream ends after EVENTS_MAX_STREAM_SECONDS; clients reconnect and resume. Keep-alive comments every 15 s.
     */
    get: {
      parameters: {
        query?: {
          /** @description A position (an event id) to resume after */
          after?: string;
          deploymentId?: number;
          environment?: string;
          releaseId?: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The stream */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'text/event-stream': string;
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description A dependency did not answer */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/freezes': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Freeze windows in force (an environment’s and the global ones, or all) */
    get: {
      parameters: {
        query?: {
          environment?: string;
          includeEnded?: 'true' | 'false';
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Windows */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              freezes: components['schemas']['FreezeWindow'][];
            };
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    /**
     * Create a freeze window
     * @description `deny` windows freeze promotions while open; where `allow` windows exist (of the environment or global), promotions start only inside one. Schedules: cron + duration or RRULE + duration in an IANA time zone, or a one-off `from`/`until`. Audited.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': components['schemas']['CreateFreezeRequest'];
        };
      };
      responses: {
        /** @description Created */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['FreezeWindow'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Token lacks the required role or scope */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Conflict with the current state */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Content-Type must be application/json */
        415: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Request is well-formed but violates the rules */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/freezes/{freezeId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** End a freeze window (it stays listed with includeEnded, with who ended it) */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          freezeId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Ended */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['FreezeWindow'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Token lacks the required role or scope */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Conflict with the current state */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/metrics/dora': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Deployment frequency, lead time, change failure rate and time to restore of an environment */
    get: {
      parameters: {
        query: {
          /** @description Width of a trend point (UTC days, or ISO weeks from Monday) */
          bucket?: 'day' | 'week';
          environment: string;
          /** @description How far back from now: `12h`, `7d`, `30d`, `4w` (1h..365d) */
          window?: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The four DORA metrics over the window, and their trend */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['DoraMetrics'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/notifications/deliveries/{id}/redeliver': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Deliver again (a fresh delivery workflow; same X-Flow-Event-Id) */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: number;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Redelivery started */
        202: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['NotificationDelivery'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Token lacks the required role or scope */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Conflict with the current state */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description A dependency did not answer */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/notifications/subscriptions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Notification subscriptions */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Subscriptions */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              subscriptions: components['schemas']['NotificationSubscription'][];
            };
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Token lacks the required role or scope */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    /** Create a notification subscription */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': components['schemas']['NotificationSubscriptionRequest'];
        };
      };
      responses: {
        /** @description Created */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['NotificationSubscription'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Token lacks the required role or scope */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Content-Type must be application/json */
        415: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Request is well-formed but violates the rules */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/notifications/subscriptions/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One notification subscription */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Subscription */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['NotificationSubscription'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Token lacks the required role or scope */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    /** Replace a notification subscription */
    put: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': components['schemas']['NotificationSubscriptionRequest'];
        };
      };
      responses: {
        /** @description Replaced */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['NotificationSubscription'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Token lacks the required role or scope */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Content-Type must be application/json */
        415: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Request is well-formed but violates the rules */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    post?: never;
    /** Delete a notification subscription (its delivery log stays) */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Deleted */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['NotificationSubscription'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Token lacks the required role or scope */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    options?: never;
    head?: never;
    /** Change some fields of a notification subscription */
    patch: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': components['schemas']['NotificationSubscriptionPatch'];
        };
      };
      responses: {
        /** @description Changed */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['NotificationSubscription'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Token lacks the required role or scope */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Content-Type must be application/json */
        415: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Request is well-formed but violates the rules */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    trace?: never;
  };
  '/v1/notifications/subscriptions/{id}/deliveries': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Delivery log of a subscription, newest first */
    get: {
      parameters: {
        query?: {
          /** @description Opaque: the nextCursor of the previous page */
          cursor?: string;
          limit?: number;
        };
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description A page of deliveries */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              deliveries: components['schemas']['NotificationDelivery'][];
              nextCursor: string | null;
            };
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Token lacks the required role or scope */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/pause': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Stop every environment */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            reason: string;
          };
        };
      };
      responses: {
        /** @description Paused */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Pause'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Token lacks the required role or scope */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Conflict with the current state */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Content-Type must be application/json */
        415: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/pauses': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Pauses in force (per environment and global) */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Pauses */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              pauses: components['schemas']['Pause'][];
            };
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/releases/template/{productVersion}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Resolve the template for a product version (X.Y.Z → X.Y.0 → default)
     * @description Returns the template JSON itself. Which template was resolved is in the headers `X-Template-Key`, `X-Template-Revision` and `X-Template-Digest` (also the ETag) and in `Content-Location`. A pre-release tries its own key first, then its release version; build metadata is ignored.
     */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          productVersion: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The resolved template */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              [key: string]: {
                [key: string]: {
                  [key: string]: {
                    containers: {
                      [key: string]: {
                        repo: string;
                        tag: string;
                      };
                    };
                    optional?: boolean;
                  };
                };
              };
            };
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/releases/template/{productVersion}/render': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Render the resolved template into a descriptor from placeholder values
     * @description Fills every `<PLACEHOLDER>` of the resolved template from `values`, drops `optional` markers, and validates the result against the template. A missing value or a result that breaks a rule is 422 with every problem.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          productVersion: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': components['schemas']['RenderRequest'];
        };
      };
      responses: {
        /** @description The rendered descriptor */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['RenderResult'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Token lacks the required role or scope */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Content-Type must be application/json */
        415: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Request is well-formed but violates the rules */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/resume': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Resume every environment (the global pause) */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            reason: string;
          };
        };
      };
      responses: {
        /** @description Resumed */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Pause'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Token lacks the required role or scope */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Conflict with the current state */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Content-Type must be application/json */
        415: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/templates': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List template keys with their newest revision (newest version first, default last) */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Template keys */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              templates: (components['schemas']['TemplateRevisionMeta'] & {
                revisions: number;
              })[];
            };
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/templates/{key}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The newest revision of exactly this key (no fallback) */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          key: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The newest revision */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['TemplateRevision'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    /**
     * Save a new revision of the template for a key (a semver or "default")
     * @description Needs the admin role (templates are policy). Validates the template and appends a revision; a template over 1 MiB of JSON or 1000 services is 413 DOCUMENT_TOO_LARGE, a tag with more than 8 placeholders 422. Saving a document identical (same canonical digest) to the newest revision creates nothing and answers 200 with that revision; a new revision answers 201.
     */
    put: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          key: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            [key: string]: {
              [key: string]: {
                [key: string]: {
                  containers: {
                    [key: string]: {
                      repo: string;
                      tag: string;
                    };
                  };
                  optional?: boolean;
                };
              };
            };
          };
        };
      };
      responses: {
        /** @description Unchanged: the newest revision already has this content */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['TemplateRevision'];
          };
        };
        /** @description A new revision */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['TemplateRevision'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Token lacks the required role or scope */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Body too large */
        413: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Content-Type must be application/json */
        415: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Request is well-formed but violates the rules */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/templates/{key}/revisions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Revision history of a key, newest first */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          key: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Revisions */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              key: string;
              revisions: components['schemas']['TemplateRevisionMeta'][];
            };
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/templates/{key}/revisions/{revision}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One revision of a key */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          key: string;
          revision: number;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The revision (never changes: `Cache-Control: private, immutable`, with an ETag) */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['TemplateRevision'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/tokens': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List API tokens */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Tokens */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              tokens: components['schemas']['TokenInfo'][];
            };
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Token lacks the required role or scope */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    /**
     * Issue an API token
     * @description The token itself is returned once, here; only its SHA-256 is stored.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': components['schemas']['CreateTokenRequest'];
        };
      };
      responses: {
        /** @description Issued */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['IssuedToken'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Token lacks the required role or scope */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Content-Type must be application/json */
        415: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/tokens/{tokenId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** Revoke an API token */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          tokenId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Revoked */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['TokenInfo'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Token lacks the required role or scope */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Conflict with the current state */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/tokens/self': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The calling token: name, role and scopes */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The caller */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['TokenInfo'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v2/releases': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List releases, newest first */
    get: {
      parameters: {
        query?: {
          /** @description Creator token id (UUID) or token name */
          createdBy?: string;
          /** @description Opaque: the nextCursor of the previous page */
          cursor?: string;
          limit?: number;
          productVersion?: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description A page of releases */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              nextCursor: string | null;
              releases: components['schemas']['ReleaseSummary'][];
            };
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v2/releases/{a}/diff/{b}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Component-level difference going from release a to release b */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          a: string;
          b: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The difference (two immutable releases: `Cache-Control: private, immutable`, with an ETag) */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['ReleaseDiff'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v2/releases/{releaseId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One release: descriptor, digest, template revision, creator, time and acknowledged overrides */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description The release id, or its first 8+ hex digits */
          releaseId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The release and the environments it has passed through. `ETag` and `Cache-Control: private, no-cache`: the descriptor never changes but the environments do, so a client revalidates with If-None-Match (304 when unchanged). */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['ReleaseWithEnvironments'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v2/releases/{releaseId}/promote': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Promote a release to an environment
     * @description Checks the rules (release and environment exist, succeeded upstream and verified there when the environment requires it (409 UPSTREAM_NOT_VERIFIED), not already current, nothing else running), records a deployment and starts the promotion workflow. A release older than the current one is a rollback.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description The release id, or its first 8+ hex digits */
          releaseId: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': components['schemas']['PromoteRequest'];
        };
      };
      responses: {
        /** @description The same promotion is already running or queued (idempotent) */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['PromotionAccepted'];
          };
        };
        /** @description Promotion started, or queued (`queue: true`) */
        202: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['PromotionAccepted'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Token lacks the required role or scope */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Conflict with the current state */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Content-Type must be application/json */
        415: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Request is well-formed but violates the rules */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description A dependency did not answer */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v2/releases/{releaseId}/reject': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Reject a release: it can no longer be promoted anywhere; its running promotions park at their next step */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          releaseId: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            reason: string;
          };
        };
      };
      responses: {
        /** @description Rejected */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Rejection'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Token lacks the required role or scope */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Conflict with the current state */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Content-Type must be application/json */
        415: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v2/releases/{releaseId}/unreject': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Lift the rejection of a release (its parked promotions can then be retried) */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          releaseId: string;
        };
        cookie?: never;
      };
      requestBody?: {
        content: {
          'application/json': {
            reason?: string;
          };
        };
      };
      responses: {
        /** @description Lifted */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Rejection'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Token lacks the required role or scope */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Conflict with the current state */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Content-Type must be application/json */
        415: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v2/releases/create/{productVersion}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Create an immutable release from a descriptor
     * @description Validates the descriptor against the template the product version resolves to and stores it with a new UUID, its canonical SHA-256 digest and the template revision. Every problem is reported at once (422). Overrides of pinned values need `acknowledgeOverride`. With `Idempotency-Key`, a retry answers 200 with the same release.
     */
    post: {
      parameters: {
        query?: {
          /** @description Path of a pinned value this descriptor overrides on purpose (repeatable, or comma-separated) */
          acknowledgeOverride?: string | string[];
        };
        header?: {
          'idempotency-key'?: string;
        };
        path: {
          productVersion: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            [key: string]: {
              [key: string]: {
                [key: string]: {
                  containers: {
                    [key: string]: {
                      repo: string;
                      tag: string;
                    };
                  };
                };
              };
            };
          };
        };
      };
      responses: {
        /** @description Idempotent replay: the release created earlier with this Idempotency-Key */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['CreatedRelease'];
          };
        };
        /** @description Created */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['CreatedRelease'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Token lacks the required role or scope */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Body too large */
        413: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Content-Type must be application/json */
        415: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Request is well-formed but violates the rules */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v2/releases/validate/{productVersion}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Dry run: validate a descriptor without storing anything */
    post: {
      parameters: {
        query?: {
          /** @description Path of a pinned value this descriptor overrides on purpose (repeatable, or comma-separated) */
          acknowledgeOverride?: string | string[];
        };
        header?: never;
        path: {
          productVersion: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            [key: string]: {
              [key: string]: {
                [key: string]: {
                  containers: {
                    [key: string]: {
                      repo: string;
                      tag: string;
                    };
                  };
                };
              };
            };
          };
        };
      };
      responses: {
        /** @description Valid: what create would store */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['ValidationReport'];
          };
        };
        /** @description Malformed or invalid request */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Missing or invalid bearer token */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Token lacks the required role or scope */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Not found */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Body too large */
        413: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Content-Type must be application/json */
        415: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
        /** @description Request is well-formed but violates the rules */
        422: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Error'];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    AuditEvent: {
      action: string;
      actor: string;
      actorTokenId: string | null;
      at: string;
      details: {
        [key: string]: unknown;
      };
      id: number;
      requestId: string | null;
      subjectId: string;
      subjectType: string;
    };
    AutoPromotion: {
      candidate: {
        becameCurrentAt: string;
        eligibleAt: string;
        productVersion: string;
        releaseId: string;
      } | null;
      /** @description null: the environment does not auto-promote */
      config: {
        from: string;
        soakSeconds: number;
        /** @enum {string} */
        when: 'succeeded' | 'verified';
      } | null;
      /** @description The promotion in flight it waits for (states promoting, busy) */
      deploymentId: number | null;
      environment: string;
      hold: components['schemas']['AutoPromotionHold'];
      /** @description The newest promotion it started, any status */
      lastDeploymentId: number | null;
      message: string | null;
      /**
       * @description off: no autoPromote; held: a hold stands; promoting: its own promotion is queued or running; busy: a person's promotion is active or queued (it waits); idle: nothing to promote; soaking: the candidate soaks upstream until eligibleAt; blocked/paused/frozen: the candidate waits for a rule, a pause, a freeze; ready: it promotes at its next look
       * @enum {string}
       */
      state: 'off' | 'held' | 'promoting' | 'busy' | 'idle' | 'soaking' | 'blocked' | 'paused' | 'frozen' | 'ready';
    };
    AutoPromotionHold: {
      /** @description The manual promotion that placed it (null: placed by hand) */
      deploymentId: number | null;
      environment: string;
      heldAt: string;
      heldBy: string;
      reason: string;
      resumedAt: string | null;
      resumedBy: string | null;
      resumeReason: string | null;
    } | null;
    CreatedRelease: components['schemas']['ReleaseSummary'] & {
      /** @enum {string} */
      status: 'created';
    };
    CreateFreezeRequest: {
      /**
       * @description The environment; null or absent: every environment
       * @default null
       */
      environment: string | null;
      /**
       * @default deny
       * @enum {string}
       */
      kind: 'deny' | 'allow';
      reason: string;
      schedule:
        | {
            cron: string;
            durationSeconds: number;
            timeZone: string;
            /** @enum {string} */
            type: 'cron';
          }
        | {
            durationSeconds: number;
            rrule: string;
            start?: string;
            timeZone: string;
            /** @enum {string} */
            type: 'rrule';
          }
        | {
            /** Format: date-time */
            from: string;
            /** @enum {string} */
            type: 'once';
            /** Format: date-time */
            until: string;
          };
    };
    CreateTokenRequest: {
      /** @description Groups of the holder: an environment approver entry `group:<name>` admits every token of the group */
      groups?: string[];
      name: string;
      /** @description Who holds the token (a person or a system). Default: the name. Two tokens of one principal count as one approver, and the initiator's principal never approves */
      principal?: string;
      /** @enum {string} */
      role: 'viewer' | 'releaser' | 'promoter' | 'admin';
      /** @description Environments a promoter may promote to ("*" for all); promoters only */
      scopes?: string[];
    };
    Creator: {
      name: string;
      tokenId: string;
    };
    CurrentVerification: {
      checksPassedAt: string | null;
      /** @description The deployment that made the release current there (its row counts while it is the newest) */
      deploymentId: number;
      /** @description Why the state is failed or revoked */
      reason: string | null;
      releaseId: string;
      revokedAt: string | null;
      /** @description End of the soak (null: no soak) */
      soakUntil: string | null;
      /**
       * @description verifying → soaking → verified; failed (a gate failed, or the soak did not complete: superseded, cancelled); revoked (unhealthy or an incident during the soak, or revoked later)
       * @enum {string}
       */
      state: 'verifying' | 'soaking' | 'verified' | 'failed' | 'revoked';
      verifiedAt: string | null;
    };
    DeploymentDetails: components['schemas']['DeploymentSummary'] & {
      /** @description Component changes from the previous release (null for a first deployment) */
      changes: {
        changes: (
          | {
              group: string;
              kind: string;
              path: string;
              service: string;
              /** @enum {string} */
              type: 'service-added';
            }
          | {
              group: string;
              kind: string;
              path: string;
              service: string;
              /** @enum {string} */
              type: 'service-removed';
            }
          | {
              group: string;
              kind: {
                from: string;
                to: string;
              };
              path: string;
              service: string;
              /** @enum {string} */
              type: 'workload-kind-changed';
            }
          | {
              container: string;
              group: string;
              path: string;
              repo: string;
              service: string;
              tag: string;
              /** @enum {string} */
              type: 'container-added';
            }
          | {
              container: string;
              group: string;
              path: string;
              repo: string;
              service: string;
              tag: string;
              /** @enum {string} */
              type: 'container-removed';
            }
          | {
              container: string;
              group: string;
              path: string;
              repo: {
                from: string;
                to: string;
              } | null;
              service: string;
              tag: {
                from: string;
                to: string;
              } | null;
              /** @enum {string} */
              type: 'image-changed';
            }
        )[];
        identical: boolean;
        overrides: {
          /** @enum {string} */
          change: 'added' | 'removed' | 'changed';
          from: {
            templateValue: string;
            value: string;
          } | null;
          path: string;
          to: {
            templateValue: string;
            value: string;
          } | null;
        }[];
      } | null;
      statusUrl: string;
      steps: {
        attempts: number;
        finishedAt: string | null;
        message: string | null;
        name: string;
        observation: {
          [key: string]: unknown;
        } | null;
        startedAt: string | null;
        status: string;
      }[];
    };
    DeploymentSummary: {
      actions: {
        action: string;
        at: string;
        by: string;
        comment?: string;
        step?: string;
      }[];
      /** @description Started through a freeze by an admin, with this reason */
      breakGlassReason: string | null;
      commitSha: string | null;
      createdAt: string;
      currentStep: string | null;
      environment: string;
      finishedAt: string | null;
      id: number;
      isRollback: boolean;
      message: string | null;
      /**
       * @description Why an awaiting_operator promotion waits (null otherwise): `step-failed` (an operator retries or aborts), `sync-window` (an Argo CD sync window blocks the sync; the promotion resumes on its own when it opens, `message` says when; retry and abort still work)
       * @enum {string|null}
       */
      parkReason: 'step-failed' | 'sync-window' | null;
      previousReleaseId: string | null;
      /** @description Requested with `queue: true` while the environment was busy: when it was queued */
      queuedAt: string | null;
      reason: string | null;
      releaseId: string;
      revertSha: string | null;
      runId: string | null;
      /** @description While scheduled: when the freeze window should open */
      scheduledFor: string | null;
      startedAt: string | null;
      startedBy: string;
      /** @enum {string} */
      status:
        | 'queued'
        | 'pending'
        | 'scheduled'
        | 'awaiting_approval'
        | 'running'
        | 'awaiting_operator'
        | 'succeeded'
        | 'failed'
        | 'aborted'
        | 'superseded';
      updatedAt: string;
      /** @description Requested to wait for a freeze window to open (docs/governance.md) */
      whenOpen: boolean;
      workflowId: string;
    };
    DoraMetrics: {
      /** @enum {string} */
      bucket: 'day' | 'week';
      changeFailureRate: {
        deployments: number;
        failed: number;
        /** @description failed / deployments (null: no deployments) */
        rate: number | null;
      };
      definitions: {
        failureSignals: string[];
        /** @description A change failed if a signal came within this long of it, or before the next successful promotion */
        failureWindowSeconds: number;
        restoreFailures: string[];
      };
      deploymentFrequency: {
        /** @description Successful promotions, rollbacks excluded, finished in the window */
        count: number;
        perDay: number;
      };
      environment: string;
      leadTime: {
        count: number;
        /** @description Release created → promotion succeeded here (null: no deployments) */
        p50Seconds: number | null;
        p90Seconds: number | null;
      };
      timeToRestore: {
        /** @description Failures that started in the window */
        failures: number;
        meanSeconds: number | null;
        p50Seconds: number | null;
        /** @description Of those, restored by the end of the window (the times count only these) */
        restored: number;
      };
      trend: {
        deployments: number;
        failed: number;
        failureRate: number | null;
        start: string;
      }[];
      window: {
        from: string;
        label: string;
        seconds: number;
        to: string;
      };
    };
    Environment: {
      /** @description EnvironmentConfig; credentials appear as references (env:/file:) only */
      config: {
        [key: string]: unknown;
      };
      currentDeploymentId: number | null;
      currentReleaseId: string | null;
      lastDeployment: components['schemas']['DeploymentSummary'] | null;
      live:
        | {
            /** @description The cluster of the application, when the environment spans several */
            cluster?: string;
            error?: string;
            group: string;
            health: string | null;
            matchesCurrentRelease: boolean | null;
            name: string;
            /** @description flow-controller.io/release-id on the application’s live workloads (null when mixed or unreadable) */
            releaseId: string | null;
            /** @description The revision Argo CD compared (multi-source: that of the source reading the environment’s repository) */
            revision: string | null;
            sync: string | null;
          }[]
        | null;
      name: string;
      /** @description Promotions waiting in its queue (docs/governance.md "Queues") */
      queueLength: number;
      updatedAt: string;
      /** @description The verification state of the current release (soaking until soakUntil, verified, revoked…); null before any */
      verification: components['schemas']['CurrentVerification'] | null;
    };
    EnvironmentQueue: {
      environment: string;
      /** @enum {string} */
      policy: 'fifo' | 'newest-wins';
      queue: components['schemas']['QueueEntry'][];
    };
    EnvironmentStatus: {
      applications: {
        application: string;
        problems: string[];
        /** @enum {string} */
        state: 'in sync' | 'drifted' | 'degraded' | 'progressing' | 'missing' | 'out-of-sync' | 'unknown';
      }[];
      currentRelease: {
        deploymentId: number | null;
        id: string;
        productVersion: string;
      } | null;
      environment: string;
      monitor: {
        /** @description Whether the monitor workflow answered the status query */
        answered: boolean;
        enabled: boolean;
        intervalSeconds: number;
        lastError: string | null;
        lastObservedAt: string | null;
        policy: string;
      };
      openIncidents: components['schemas']['Incident'][];
      /** @description A promotion is rolling out (running or parked): applications are progressing, nothing is judged */
      promotionActive: boolean;
      verification: {
        reason: string | null;
        soakUntil: string | null;
        /** @enum {string} */
        state: 'verifying' | 'soaking' | 'verified' | 'failed' | 'revoked';
        verifiedAt: string | null;
      } | null;
    };
    Error: {
      error: {
        /** @example VALIDATION_FAILED */
        code: string;
        details?: unknown;
        message: string;
        requestId: string;
      };
    };
    FreezeState: {
      at: string;
      blocks: {
        environment: string | null;
        /** @enum {string} */
        kind: 'deny' | 'allow';
        reason: string;
        /** @description When this block ends; null: never */
        until: string | null;
        windowId: string;
      }[];
      environment: string;
      frozen: boolean;
      /** @description First moment nothing freezes promotions; null: none found */
      nextOpenAt: string | null;
    };
    FreezeWindow: {
      createdAt: string;
      createdBy: string;
      endedAt: string | null;
      endedBy: string | null;
      /** @description null: applies to every environment */
      environment: string | null;
      id: string;
      /** @enum {string} */
      kind: 'deny' | 'allow';
      reason: string;
      schedule:
        | {
            cron: string;
            durationSeconds: number;
            timeZone: string;
            /** @enum {string} */
            type: 'cron';
          }
        | {
            durationSeconds: number;
            rrule: string;
            start?: string;
            timeZone: string;
            /** @enum {string} */
            type: 'rrule';
          }
        | {
            /** Format: date-time */
            from: string;
            /** @enum {string} */
            type: 'once';
            /** Format: date-time */
            until: string;
          };
    };
    Health: {
      checks: {
        postgres: {
          latencyMs: number;
          /** @enum {string} */
          status: 'up' | 'down';
        };
        temporal: {
          latencyMs: number;
          /** @enum {string} */
          status: 'up' | 'down';
        };
      };
      /** @enum {string} */
      status: 'ok' | 'degraded';
    };
    Incident: {
      /** @description alerted | resynced | rolled-back | rollback-refused */
      action: string | null;
      actionAt: string | null;
      actionDeploymentId: number | null;
      actionMessage: string | null;
      /** @description The Argo CD application (`<cluster>/<app>` with several clusters); '' = the environment */
      application: string;
      deploymentId: number | null;
      environment: string;
      evidence: {
        [key: string]: unknown;
      };
      firstSeenAt: string;
      id: number;
      /** @enum {string} */
      kind: 'drift' | 'degraded' | 'missing' | 'out-of-sync' | 'verification-failed';
      lastSeenAt: string;
      releaseId: string | null;
      resolvedAt: string | null;
      summary: string;
    };
    IssuedToken: components['schemas']['TokenInfo'] & {
      token: string;
    };
    Live: {
      /** @enum {string} */
      status: 'ok';
    };
    NotificationDelivery: {
      attempts: number;
      createdAt: string;
      deliveredAt: string | null;
      deploymentId: number | null;
      environment: string | null;
      eventAt: string;
      eventKey: string;
      id: number;
      /** @description X-Flow-Event-Id: the same for every attempt and redelivery */
      idempotencyKey: string;
      /** @description Redacted: no secrets, no URL query strings */
      lastError: string | null;
      lastStatusCode: number | null;
      redeliveries: number;
      /** @enum {string} */
      state: 'pending' | 'delivered' | 'failed-retrying' | 'dead';
      subscriptionId: string;
      summary: string;
      /** @enum {string} */
      type:
        | 'promotion.started'
        | 'promotion.parked'
        | 'promotion.succeeded'
        | 'promotion.failed'
        | 'promotion.aborted'
        | 'approval.requested'
        | 'incident.opened'
        | 'incident.resolved'
        | 'freeze.overridden'
        | 'release.rejected'
        | 'environment.paused'
        | 'environment.resumed';
      updatedAt: string;
    };
    NotificationSubscription: {
      createdAt: string;
      createdBy: string;
      enabled: boolean;
      filters: {
        /** @default null */
        environments: string[] | null;
        eventTypes: (
          | 'promotion.started'
          | 'promotion.parked'
          | 'promotion.succeeded'
          | 'promotion.failed'
          | 'promotion.aborted'
          | 'approval.requested'
          | 'incident.opened'
          | 'incident.resolved'
          | 'freeze.overridden'
          | 'release.rejected'
          | 'environment.paused'
          | 'environment.resumed'
        )[];
      };
      id: string;
      name: string;
      target:
        | {
            /** @enum {string} */
            kind: 'webhook';
            secretRef: string;
            url: string;
          }
        | {
            /** @enum {string} */
            kind: 'slack';
            urlRef: string;
          }
        | {
            /** @enum {string} */
            kind: 'cdevents';
            secretRef?: string;
            url: string;
          };
      updatedAt: string;
    };
    NotificationSubscriptionPatch: {
      enabled?: boolean;
      filters?: {
        /** @default null */
        environments: string[] | null;
        eventTypes: (
          | 'promotion.started'
          | 'promotion.parked'
          | 'promotion.succeeded'
          | 'promotion.failed'
          | 'promotion.aborted'
          | 'approval.requested'
          | 'incident.opened'
          | 'incident.resolved'
          | 'freeze.overridden'
          | 'release.rejected'
          | 'environment.paused'
          | 'environment.resumed'
        )[];
      };
      name?: string;
      target?:
        | {
            /** @enum {string} */
            kind: 'webhook';
            secretRef: string;
            url: string;
          }
        | {
            /** @enum {string} */
            kind: 'slack';
            urlRef: string;
          }
        | {
            /** @enum {string} */
            kind: 'cdevents';
            secretRef?: string;
            url: string;
          };
    };
    NotificationSubscriptionRequest: {
      /** @default true */
      enabled: boolean;
      filters: {
        /** @default null */
        environments: string[] | null;
        eventTypes: (
          | 'promotion.started'
          | 'promotion.parked'
          | 'promotion.succeeded'
          | 'promotion.failed'
          | 'promotion.aborted'
          | 'approval.requested'
          | 'incident.opened'
          | 'incident.resolved'
          | 'freeze.overridden'
          | 'release.rejected'
          | 'environment.paused'
          | 'environment.resumed'
        )[];
      };
      name: string;
      target:
        | {
            /** @enum {string} */
            kind: 'webhook';
            secretRef: string;
            url: string;
          }
        | {
            /** @enum {string} */
            kind: 'slack';
            urlRef: string;
          }
        | {
            /** @enum {string} */
            kind: 'cdevents';
            secretRef?: string;
            url: string;
          };
    };
    OperatorActionResult: {
      /** @enum {boolean} */
      accepted: true;
      /** @description The recorded operator action (also the Workflow Update id) */
      actionId: string;
      approvals?: number;
      deployment: components['schemas']['DeploymentSummary'];
      status: string;
    };
    Pause: {
      /** @description null: every environment */
      environment: string | null;
      pausedAt: string;
      pausedBy: string;
      reason: string;
      resumedAt: string | null;
      resumedBy: string | null;
      resumeReason: string | null;
    };
    PreflightCheck: {
      /** @description Argo CD and Kubernetes checks of an environment spanning several clusters: the cluster checked */
      cluster?: string;
      /** @description `git.diff` only: unified diff the next promotion of the current release would make */
      diff?: string;
      /** @description Stable check id, e.g. `git.branch`, `argocd.application:dev-core` */
      id: string;
      message: string;
      /** @enum {string} */
      status: 'ok' | 'warning' | 'error';
      /** @enum {string} */
      target: 'git' | 'argocd' | 'kubernetes';
    };
    PreflightReport: {
      checkedAt: string;
      checks: components['schemas']['PreflightCheck'][];
      /** @description The environment's current release (null: none deployed yet) */
      currentReleaseId: string | null;
      durationMs: number;
      environment: string;
      /** @description Groups checked: the rendered release's, else the default template's */
      groups: string[];
      /** @description The release the Git checks render: the current one, else the latest release (null: no release yet) */
      releaseId: string | null;
      /**
       * @description The worst status of all checks
       * @enum {string}
       */
      status: 'ok' | 'warning' | 'error';
    };
    PromoteRequest: {
      /** @description Admins: start through a freeze window; the reason is mandatory, audited and shown (docs/governance.md) */
      breakGlass?: {
        reason: string;
      };
      /** @example staging */
      environment: string;
      /** @description While another promotion runs in the environment: wait in its queue (202, status queued, with queuePosition) instead of 409 PROMOTION_IN_PROGRESS; rules are checked again when it starts (docs/governance.md "Queues") */
      queue?: boolean;
      reason?: string;
      /** @description During a freeze window: accept and wait (status scheduled) until it opens, instead of 409 ENVIRONMENT_FROZEN */
      whenOpen?: boolean;
    };
    PromotionAccepted: {
      breakGlassReason: string | null;
      deploymentId: number;
      environment: string;
      isRollback: boolean;
      /** @description Queued: 1-based place in the environment queue */
      queuePosition?: number;
      releaseId: string;
      status: string;
      statusUrl: string;
      whenOpen: boolean;
      workflowId: string;
    };
    QueueEntry: {
      deploymentId: number;
      /** @description What it waits for (e.g. `queued: waiting for deployment 12 (running)`) */
      message: string | null;
      position: number;
      queuedAt: string | null;
      reason: string | null;
      releaseId: string;
      startedBy: string;
      statusUrl: string;
      whenOpen: boolean;
    };
    /** @description The rejection in force (docs/governance.md); null when the release may be promoted */
    Rejection: {
      liftedAt: string | null;
      liftedBy: string | null;
      liftReason: string | null;
      reason: string;
      rejectedAt: string;
      rejectedBy: string;
      releaseId: string;
    } | null;
    ReleaseDetails: components['schemas']['ReleaseSummary'] & {
      descriptor: {
        [key: string]: unknown;
      };
      idempotencyKey: string | null;
    };
    ReleaseDiff: {
      changes: (
        | {
            group: string;
            kind: string;
            path: string;
            service: string;
            /** @enum {string} */
            type: 'service-added';
          }
        | {
            group: string;
            kind: string;
            path: string;
            service: string;
            /** @enum {string} */
            type: 'service-removed';
          }
        | {
            group: string;
            kind: {
              from: string;
              to: string;
            };
            path: string;
            service: string;
            /** @enum {string} */
            type: 'workload-kind-changed';
          }
        | {
            container: string;
            group: string;
            path: string;
            repo: string;
            service: string;
            tag: string;
            /** @enum {string} */
            type: 'container-added';
          }
        | {
            container: string;
            group: string;
            path: string;
            repo: string;
            service: string;
            tag: string;
            /** @enum {string} */
            type: 'container-removed';
          }
        | {
            container: string;
            group: string;
            path: string;
            repo: {
              from: string;
              to: string;
            } | null;
            service: string;
            tag: {
              from: string;
              to: string;
            } | null;
            /** @enum {string} */
            type: 'image-changed';
          }
      )[];
      from: string;
      identical: boolean;
      overrides: {
        /** @enum {string} */
        change: 'added' | 'removed' | 'changed';
        from: {
          templateValue: string;
          value: string;
        } | null;
        path: string;
        to: {
          templateValue: string;
          value: string;
        } | null;
      }[];
      to: string;
    };
    ReleaseEnvironment: {
      createdAt: string;
      /** @description This deployment made the release current in the environment, and it still is */
      current: boolean;
      deploymentId: number;
      environment: string;
      finishedAt: string | null;
      isRollback: boolean;
      startedBy: string;
      /** @enum {string} */
      status:
        | 'queued'
        | 'pending'
        | 'scheduled'
        | 'awaiting_approval'
        | 'running'
        | 'awaiting_operator'
        | 'succeeded'
        | 'failed'
        | 'aborted'
        | 'superseded';
      statusUrl: string;
    };
    ReleaseSummary: {
      acknowledgedOverrides: {
        path: string;
        templateValue: string;
        value: string;
      }[];
      createdAt: string;
      createdBy: components['schemas']['Creator'];
      digest: string;
      productVersion: string;
      /** @description In lists: true when the release is rejected (docs/governance.md) */
      rejected?: boolean;
      /** @example b7e6c1e2-2c3a-4e2a-8e2b-1c2d3e4f5a6b */
      releaseId: string;
      template: components['schemas']['TemplateRef'];
    };
    ReleaseVerification: {
      checksPassedAt: string | null;
      /** @description The deployment that made the release current there (its row counts while it is the newest) */
      deploymentId: number;
      environment: string;
      /** @description Why the state is failed or revoked */
      reason: string | null;
      revokedAt: string | null;
      /** @description End of the soak (null: no soak) */
      soakUntil: string | null;
      /**
       * @description verifying → soaking → verified; failed (a gate failed, or the soak did not complete: superseded, cancelled); revoked (unhealthy or an incident during the soak, or revoked later)
       * @enum {string}
       */
      state: 'verifying' | 'soaking' | 'verified' | 'failed' | 'revoked';
      verifiedAt: string | null;
    };
    ReleaseWithEnvironments: components['schemas']['ReleaseDetails'] & {
      environments: components['schemas']['ReleaseEnvironment'][];
      rejection: components['schemas']['Rejection'];
      /** @description Per environment, the release’s newest verification row there (upstream rules requiring verified read it) */
      verifications: components['schemas']['ReleaseVerification'][];
    };
    RenderRequest: {
      /**
       * @example {
       *       "RELEASE_TAG": "1.4.2"
       *     }
       */
      values: {
        [key: string]: string;
      };
    };
    RenderResult: {
      /** @description The rendered descriptor, ready for POST /v2/releases/create/{productVersion} */
      descriptor?: {
        [key: string]: {
          [key: string]: {
            [key: string]: {
              containers: {
                [key: string]: {
                  repo: string;
                  tag: string;
                };
              };
            };
          };
        };
      };
      template: {
        digest: string;
        key: string;
        revision: number;
      };
      unusedValues: string[];
    };
    ReverifyRequest: {
      /** @description Why the checks run again (audited) */
      reason?: string;
    };
    ReverifyRun: {
      closedAt: string | null;
      environment: string;
      message: string | null;
      releaseId: string | null;
      result: {
        checks: {
          kind: string;
          message: string;
          name: string;
          /** @description passed | failed | stopped (another check failed first) | running */
          outcome: string;
          samples: number;
        }[];
        incidentId: number | null;
        message: string;
        passed: boolean;
        revoked: boolean;
      } | null;
      runId: string;
      startedAt: string | null;
      /**
       * @description running; passed (open verification-failed incidents resolved); failed (the release verification revoked in this environment, a verification-failed incident opened); error (the checks could not run, e.g. an unresolvable secret: nothing revoked)
       * @enum {string}
       */
      status: 'running' | 'passed' | 'failed' | 'error';
      workflowId: string;
    };
    TemplateRef: {
      key: string;
      revision: number;
    };
    TemplateRevision: components['schemas']['TemplateRevisionMeta'] & {
      template: {
        [key: string]: unknown;
      };
    };
    TemplateRevisionMeta: {
      createdAt: string;
      createdBy: string;
      digest: string;
      /** @example 2.4.0 */
      key: string;
      revision: number;
    };
    TokenInfo: {
      createdAt: string;
      createdBy: string;
      /** @description Approver groups of the holder (`group:<name>` entries of environments) */
      groups: string[];
      id: string;
      name: string;
      /** @description The person or system the token belongs to; approvals count per principal */
      principal: string;
      revokedAt: string | null;
      /** @enum {string} */
      role: 'viewer' | 'releaser' | 'promoter' | 'admin';
      scopes: string[];
    };
    ValidationReport: {
      acknowledgedOverrides: {
        path: string;
        templateValue: string;
        value: string;
      }[];
      digest: string;
      problems: unknown[];
      productVersion: string;
      template: components['schemas']['TemplateRef'];
      /** @enum {boolean} */
      valid: true;
    };
  };
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
