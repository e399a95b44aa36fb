// The landing page: translated from the catalogues (js/i18n.js), with a language menu.

import { mountLanguageMenu } from "./i18n.js";

mountLanguageMenu(document.getElementById("lang"));
