import { DEMO } from '../entrypoints/demo/demo-objects.js';
import type { GatehouseConfig } from '../infrastructure/config/config.js';

/** The lines that tell a person who just ran `npm start` how to sign in to the demo. */
export function printDemoWelcome(config: GatehouseConfig): void {
  console.log(`
  Gatehouse is running at ${config.issuer}
  Open ${config.issuer}/ and choose "Sign in with the demo app".
  Demo users: ${DEMO.users.map((u) => u.username).join(', ')} (password "${DEMO.password}"), tenant "${DEMO.tenant.slug}".
  ${config.delivery === 'outbox' ? `Emails and SMS land in the dev outbox: ${config.issuer}/dev/outbox` : ''}
`);
}
