import { readFileSync } from 'node:fs';
import { CONFIGURATION_DOC, renderConfigurationDoc } from '../../scripts/configuration-doc.js';

/**
 * docs/configuration.md is written from the variable declarations; a declaration changed without
 * running `npm run docs:config` would leave the document saying something the code does not do.
 */
describe(CONFIGURATION_DOC, () => {
  it('is what `npm run docs:config` writes from the declarations (when it fails, run that)', () => {
    expect(readFileSync(CONFIGURATION_DOC, 'utf8')).toBe(renderConfigurationDoc());
  });
});
