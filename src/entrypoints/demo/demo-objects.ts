/** The demo of DESIGN §2: seeded with the embedded database or SEED_DEMO=1, never in production. */
export const DEMO = {
  tenant: { slug: 'demo', name: 'Demo Field Services' },
  password: 'gatehouse-demo',
  users: [
    { username: 'admin', role: 'admin' as const, name: 'Ada Admin', email: 'admin@demo.gatehouse.localhost' },
    { username: 'alice', role: 'member' as const, name: 'Alice Member', email: 'alice@demo.gatehouse.localhost' },
    // Operates Gatehouse itself: every tenant in the console (/console).
    { username: 'operator', role: 'admin' as const, name: 'Otto Operator', email: 'operator@demo.gatehouse.localhost', is_operator: true },
  ],
  web: { clientId: 'demo-web', secret: 'demo-web-secret' },
  mobile: { clientId: 'demo-mobile' },
  downloader: { clientId: 'demo-downloader' },
  integration: { clientId: 'demo-integration', secret: 'demo-integration-secret' },
  callbackPath: '/demo/callback',
};
