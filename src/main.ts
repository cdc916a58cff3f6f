// The process entry: checks the runtime before anything is loaded, then starts Gatehouse.
// Nothing here may import the application statically: oidc-provider judges the runtime the
// moment it is loaded, and a too-old Node must get one clear line instead of a crash.
const MINIMUM_NODE = [20, 19] as const;

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < MINIMUM_NODE[0] || (major === MINIMUM_NODE[0] && minor < MINIMUM_NODE[1])) {
  console.error(`gatehouse: cannot start: Node.js ${process.versions.node} is too old; use Node.js ${MINIMUM_NODE.join('.')} or later (24 LTS recommended)`);
  process.exit(1);
}

// oidc-provider asks for Node 22 or a later LTS and says "Unsupported runtime" on 20. Gatehouse is
// tested on 20.19+ and the image runs 24: say that once, in words that tell the operator what it
// means.
const warn = console.warn.bind(console);
console.warn = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && args[0].startsWith('oidc-provider') && args[0].includes('Unsupported runtime')) {
    warn(`gatehouse: running on Node.js ${process.versions.node}; it works (tested on 20.19+), and Node.js 24 LTS is recommended for production (the Docker image uses it)`);
    return;
  }
  warn(...args);
};

await import('./app/run.js');
