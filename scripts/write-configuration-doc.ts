import { writeFileSync } from 'node:fs';
import { CONFIGURATION_DOC, renderConfigurationDoc } from './configuration-doc.js';

// `npm run docs:config`: run from the repository root after changing a variable's declaration.
writeFileSync(CONFIGURATION_DOC, renderConfigurationDoc());
console.log(`wrote ${CONFIGURATION_DOC}`);
