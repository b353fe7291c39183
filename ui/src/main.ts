// Entry point of the Flow Controller web UI (bundled by esbuild, served at /ui/app.js by api/routes/ui.ts).
// Hash routes:
//   #/signin                                    sign in with an API token
//   #/environments                              board (default)
//   #/environments/:env/history?status=         deployment history of an environment
//   #/environments/:env/deployments/:id         deployment details and operator actions
//   #/environments/:env/preflight               preflight checks of the environment (admins, promoters in scope)
//   #/environments/:env/incidents?open=&kind=   incidents of an environment
//   #/matrix?productVersion=                    release × environment matrix
//   #/dora?environment=&window=&bucket=         DORA metrics of an environment, with a trend chart
//   #/releases?productVersion=&createdBy=       release list
//   #/releases/new                              new release from a template
//   #/releases/:id?diff=<other>                 release details, promote, diff
//   #/notifications                             notification subscriptions (admins)
//   #/notifications/:id                         a subscription's delivery log, redelivery (admins)
//   #/admin/tokens                              API tokens: list, issue (secret shown once), revoke (admins)
//   #/admin/audit?action=&actor=&…              audit log with filters and "older" paging (admins)
//   #/admin/templates?key=&from=&to=            template revisions, diff of two, edit (admins)
//   #/admin/environments[/:env]                 environments; edit one's configuration, then its preflight (admins)
import { start } from './app.js';
import { adminAuditScreen } from './screens/admin-audit.js';
import { adminEnvironmentScreen, adminEnvironmentsScreen } from './screens/admin-environments.js';
import { adminTemplatesScreen } from './screens/admin-templates.js';
import { adminTokensScreen } from './screens/admin-tokens.js';
import { boardScreen } from './screens/board.js';
import { deploymentScreen } from './screens/deployment.js';
import { doraScreen } from './screens/dora.js';
import { historyScreen } from './screens/history.js';
import { incidentsScreen } from './screens/incidents.js';
import { matrixScreen } from './screens/matrix.js';
import { deliveriesScreen, notificationsScreen } from './screens/notifications.js';
import { preflightScreen } from './screens/preflight.js';
import { releaseScreen } from './screens/release.js';
import { newReleaseScreen, releasesScreen } from './screens/releases.js';
import { signInScreen } from './screens/signin.js';

start([
  [/^\/signin$/, signInScreen],
  [/^\/(environments)?$/, boardScreen],
  [/^\/environments\/[^/]+\/history$/, historyScreen],
  [/^\/environments\/[^/]+\/deployments\/\d+$/, deploymentScreen],
  [/^\/environments\/[^/]+\/preflight$/, preflightScreen],
  [/^\/environments\/[^/]+\/incidents$/, incidentsScreen],
  [/^\/matrix$/, matrixScreen],
  [/^\/dora$/, doraScreen],
  [/^\/releases$/, releasesScreen],
  [/^\/releases\/new$/, newReleaseScreen],
  [/^\/releases\/[^/]+$/, releaseScreen],
  [/^\/notifications$/, notificationsScreen],
  [/^\/notifications\/[^/]+$/, deliveriesScreen],
  [/^\/admin(\/tokens)?$/, adminTokensScreen],
  [/^\/admin\/audit$/, adminAuditScreen],
  [/^\/admin\/templates$/, adminTemplatesScreen],
  [/^\/admin\/environments$/, adminEnvironmentsScreen],
  [/^\/admin\/environments\/[^/]+$/, adminEnvironmentScreen],
]);
