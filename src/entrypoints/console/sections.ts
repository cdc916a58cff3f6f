import type { ConsoleSection } from './console-section.js';
import { usersSection } from './sections/users.section.js';
import { userSection } from './sections/user.section.js';
import { diagnosisSection } from './sections/diagnosis.section.js';
import { clientsSection } from './sections/clients.section.js';
import { settingsSection } from './sections/settings.section.js';
import { confirmSection } from './sections/confirm.section.js';

/**
 * The console's sections, in the order of the navigation. A new section is a file in sections/
 * exporting a `ConsoleSection`, added here.
 */
export const CONSOLE_SECTIONS: readonly ConsoleSection[] = [usersSection, userSection, diagnosisSection, clientsSection, settingsSection, confirmSection];
