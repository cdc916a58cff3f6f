// Validates rendered Kubernetes manifests (`helm template` output) against the Kubernetes API
// types, without a cluster: `node scripts/validate-manifests.js rendered.yaml [...]`.
//
// 1. Every object must be of a known kind and pass that kind's JSON schema (kubernetes-models,
//    @kubernetes-models/prometheus-operator): types, enums, required fields.
// 2. No field may be unknown to its type. The JSON schemas accept unknown fields, and so would
//    the API server, dropping them without a word (a misspelt `topologySpreadConstraint` would
//    silently do nothing); the typed models name every field, so the TypeScript checker walks
//    each object along its declared type.
// 3. The chart's own rules: the metrics port is routed by no public Service or Ingress, the
//    migration Job gets only the database's address, pods roll when their configuration changes.
//
// `--rules-out=FILE` also writes the PrometheusRule's groups as a Prometheus rule file (for
// `promtool check rules` and `promtool test rules`).
//
// Exits non-zero with one line per problem.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { parseAllDocuments, stringify } from 'yaml';

const rulesOut = process.argv.find((arg) => arg.startsWith('--rules-out='))?.slice('--rules-out='.length);
const files = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
if (files.length === 0) {
  console.error('usage: node scripts/validate-manifests.js rendered.yaml [...]');
  process.exit(2);
}

/** The model module of an apiVersion: core, built-in groups, Prometheus Operator. */
function modelModule(apiVersion) {
  if (apiVersion === 'v1') return 'kubernetes-models/v1';
  if (apiVersion.startsWith('monitoring.coreos.com/')) return `@kubernetes-models/prometheus-operator/${apiVersion}`;
  return `kubernetes-models/${apiVersion}`;
}

const problems = [];
const objects = [];
for (const file of files) {
  for (const document of parseAllDocuments(readFileSync(file, 'utf8'))) {
    if (document.errors.length) {
      problems.push(`${file}: YAML: ${document.errors[0].message}`);
      continue;
    }
    const object = document.toJS();
    if (object === null || object === undefined) continue;
    objects.push({ file, object, name: `${object.kind ?? '?'}/${object.metadata?.name ?? '?'}` });
  }
}

// --- 1. JSON schemas of the kinds.
for (const entry of objects) {
  const { apiVersion, kind } = entry.object;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    problems.push(`${entry.file}: ${entry.name}: apiVersion and kind are required`);
    continue;
  }
  let Model;
  try {
    Model = (await import(modelModule(apiVersion)))[kind];
  } catch {
    Model = undefined;
  }
  if (typeof Model !== 'function') {
    problems.push(`${entry.file}: ${entry.name}: unknown kind ${kind} in ${apiVersion}`);
    continue;
  }
  entry.module = modelModule(apiVersion);
  try {
    new Model(entry.object).validate();
  } catch (err) {
    for (const error of err.errors ?? [{ instancePath: '', message: err.message }]) {
      problems.push(`${entry.file}: ${entry.name}: ${error.instancePath || '/'} ${error.message}${error.params?.allowedValues ? ` (${error.params.allowedValues.join(', ')})` : ''}`);
    }
  }
}

// --- 2. Unknown fields, along the models' declared types.
const typed = objects.filter((entry) => entry.module);
if (typed.length) {
  const virtual = path.resolve('__manifest_types__.ts');
  const source = typed
    .map((entry, i) => `import type { I${entry.object.kind} as T${i} } from '${entry.module}/${entry.object.kind}';\nexport declare const v${i}: T${i};`)
    .join('\n');
  const options = { strict: true, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, skipLibCheck: true, types: [] };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, ...rest) => (name === virtual ? ts.createSourceFile(name, source, ts.ScriptTarget.ES2022) : getSourceFile.call(host, name, ...rest));
  host.fileExists = (name) => name === virtual || fileExists.call(host, name);
  host.readFile = (name) => (name === virtual ? source : readFile.call(host, name));
  const program = ts.createProgram([virtual], options, host);
  const checker = program.getTypeChecker();
  const sourceFile = program.getSourceFile(virtual);
  const declared = new Map();
  for (const statement of sourceFile.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) declared.set(declaration.name.text, checker.getTypeAtLocation(declaration));
  }

  const withoutNullish = (type) => (type.isUnion() ? type.types.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null))) : [type]);
  const isOpen = (type) => Boolean(type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown));

  function walk(value, type, at, report) {
    const candidates = withoutNullish(type);
    if (candidates.some(isOpen)) return;
    if (Array.isArray(value)) {
      const element = candidates.map((t) => checker.getIndexTypeOfType(t, ts.IndexKind.Number)).find(Boolean);
      if (element) value.forEach((item, i) => walk(item, element, `${at}/${i}`, report));
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const objectTypes = candidates.filter((t) => t.flags & ts.TypeFlags.Object);
    if (objectTypes.length === 0) return;
    const index = objectTypes.map((t) => checker.getIndexTypeOfType(t, ts.IndexKind.String)).find(Boolean);
    for (const [key, child] of Object.entries(value)) {
      const property = objectTypes.map((t) => t.getProperty(key)).find(Boolean);
      if (property) walk(child, checker.getTypeOfSymbol(property), `${at}/${key}`, report);
      else if (index) walk(child, index, `${at}/${key}`, report);
      else report(`${at}/${key} is not a field of ${checker.typeToString(objectTypes[0])}`);
    }
  }

  typed.forEach((entry, i) => {
    walk(entry.object, declared.get(`v${i}`), '', (message) => problems.push(`${entry.file}: ${entry.name}: ${message}`));
  });
}

// --- 3. The chart's own rules.
const ofKind = (kind) => objects.filter((entry) => entry.object.kind === kind);
const podSpecs = [...ofKind('Deployment'), ...ofKind('Job')].map((entry) => ({ entry, spec: entry.object.spec?.template?.spec ?? {} }));
for (const { entry } of ofKind('Service').map((entry) => ({ entry }))) {
  const component = entry.object.metadata?.labels?.['app.kubernetes.io/component'];
  for (const port of entry.object.spec?.ports ?? []) {
    if (port.targetPort === 'metrics' && component !== 'metrics') problems.push(`${entry.name}: routes the metrics port, which only the metrics Service may`);
    if (component === 'metrics' && port.targetPort !== 'metrics') problems.push(`${entry.name}: the metrics Service routes ${port.targetPort}`);
  }
}
for (const entry of ofKind('Ingress')) {
  const publicServices = new Set(ofKind('Service').filter((s) => s.object.metadata?.labels?.['app.kubernetes.io/component'] !== 'metrics').map((s) => s.object.metadata.name));
  for (const rule of entry.object.spec?.rules ?? []) {
    for (const route of rule.http?.paths ?? []) {
      if (!publicServices.has(route.backend?.service?.name)) problems.push(`${entry.name}: routes to ${route.backend?.service?.name}, which is not the public Service`);
    }
  }
}
const MIGRATION_ENV = new Set(['NODE_ENV', 'LOG_LEVEL', 'DATABASE_URL', 'DATABASE_URL_FILE']);
for (const { entry, spec } of podSpecs.filter(({ entry }) => entry.object.kind === 'Job')) {
  for (const container of spec.containers ?? []) {
    for (const variable of container.env ?? []) {
      if (!MIGRATION_ENV.has(variable.name) && !process.env.ALLOW_MIGRATION_ENV?.split(',').includes(variable.name)) {
        problems.push(`${entry.name}: the migration gets ${variable.name}; it needs only the database's address`);
      }
    }
    if (container.envFrom?.length) problems.push(`${entry.name}: the migration takes a whole ConfigMap or Secret (envFrom)`);
  }
  for (const volume of spec.volumes ?? []) {
    for (const item of volume.secret ? volume.secret.items ?? [{ path: '(every key)' }] : []) {
      if (item.path !== 'DATABASE_URL') problems.push(`${entry.name}: the migration mounts secret ${item.path}`);
    }
  }
}
for (const { entry } of podSpecs.filter(({ entry }) => entry.object.kind === 'Deployment')) {
  if (!entry.object.spec?.template?.metadata?.annotations?.['checksum/config']) problems.push(`${entry.name}: pods do not roll when the configuration changes (no checksum/config)`);
}

if (rulesOut) {
  const groups = ofKind('PrometheusRule').flatMap((entry) => entry.object.spec?.groups ?? []);
  if (groups.length === 0) problems.push('--rules-out: no PrometheusRule rendered');
  writeFileSync(rulesOut, stringify({ groups }));
}

if (problems.length) {
  for (const problem of problems) console.error(`invalid: ${problem}`);
  process.exit(1);
}
const kinds = [...new Set(objects.map((entry) => entry.object.kind))].sort();
console.log(`${files.join(', ')}: ${objects.length} objects valid (${kinds.join(', ')})`);
