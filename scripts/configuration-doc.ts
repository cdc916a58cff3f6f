import { SECRET_VARIABLES } from '../src/infrastructure/config/config.js';
import { VARIABLE_GROUPS, VARIABLES, type VariableDeclaration, type VariableGroup } from '../src/infrastructure/config/variables.js';

/** Where the document lives, relative to the repository root. */
export const CONFIGURATION_DOC = 'docs/configuration.md';

const SECRETS: ReadonlySet<string> = new Set(SECRET_VARIABLES);

/** Table cells hold one line, and a `|` would end the cell. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

function defaultOf(variable: VariableDeclaration): string {
  if (variable.default !== undefined) return `\`${String(variable.default)}\``;
  return variable.whenUnset ?? 'none';
}

function accepted(variable: VariableDeclaration): string {
  if (variable.min !== undefined && variable.max !== undefined) return `whole number, ${variable.min}–${variable.max}`;
  if (variable.values) return variable.values.map((value) => `\`${value}\``).join(', ');
  return '';
}

function row(name: string, variable: VariableDeclaration): string {
  const notes = [
    variable.meaning,
    accepted(variable) && `Accepted: ${accepted(variable)}.`,
    SECRETS.has(name) && `Secret: may be read from a file named by \`${name}_FILE\`.`,
  ].filter(Boolean);
  const production = variable.production ?? '';
  return `| \`${name}\` | ${cell(notes.join(' '))} | ${cell(defaultOf(variable))} | ${cell(production)} |`;
}

function section(group: VariableGroup): string {
  const rows = Object.entries(VARIABLES)
    .filter(([, variable]) => variable.group === group)
    .map(([name, variable]) => row(name, variable));
  return [`## ${VARIABLE_GROUPS[group]}`, '', '| variable | meaning | default | in production |', '|---|---|---|---|', ...rows].join('\n');
}

/** The whole of docs/configuration.md, written from the declarations in variables.ts. */
export function renderConfigurationDoc(): string {
  const intro = [
    '# Configuration',
    '',
    '<!-- Written by `npm run docs:config` from src/infrastructure/config/variables.ts: change the declarations there, then run it. A test fails when this file differs. -->',
    '',
    'Gatehouse is configured by environment variables only, read once at start. A value it cannot use',
    'stops start-up with one line naming the variable and what it accepts. With nothing set it runs on',
    'the embedded default (see [the docs index](README.md#two-ways-to-run-it)); with',
    '`NODE_ENV=production` it refuses every development convenience, as the last column says.',
    '',
    'Secret variables may instead be read from a file named by `NAME_FILE` (for example',
    '`JWKS_FILE=/run/secrets/jwks.json`, as mounted Kubernetes or Docker secrets are); surrounding',
    'whitespace is removed, and setting both `NAME` and `NAME_FILE` is an error.',
    '[`config/gatehouse.example.env`](../config/gatehouse.example.env) is a production template.',
  ].join('\n');
  const groups = Object.keys(VARIABLE_GROUPS) as VariableGroup[];
  return `${[intro, ...groups.map(section)].join('\n\n')}\n`;
}
