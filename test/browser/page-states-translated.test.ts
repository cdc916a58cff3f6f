import { describePageStatesInBrowser } from '../helpers/page-states-in-browser.js';

/** The page state catalogue in a real browser in the languages page-states.test.ts leaves out. */
describePageStatesInBrowser(['es', 'fr']);
