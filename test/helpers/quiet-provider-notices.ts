// oidc-provider prints a runtime notice on Node 20 (it asks for 22; RECIPES: works on 20.19+)
// and hints about defaults; they would bury real test output.
for (const method of ['warn', 'info'] as const) {
  const original = console[method].bind(console);
  console[method] = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('oidc-provider ')) return;
    original(...args);
  };
}
