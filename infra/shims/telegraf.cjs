// Bundled in place of telegraf's index (infra/bundle.ts aliases `telegraf` here): the index loads
// every part of telegraf (scenes, sessions, the router, Markup, Input, …) because it is CommonJS
// and cannot be tree-shaken, ~16 KB the webhook evaluates on each cold start and never uses. This
// gives the same classes from the same files, only those the functions import as values;
// test/integration/bundle.test.ts checks that every value imported from 'telegraf' is here.
// Types still come from the package (type imports are erased before bundling).
'use strict';

module.exports = {
  Telegraf: require('../../node_modules/telegraf/lib/telegraf.js').Telegraf,
  TelegramError: require('../../node_modules/telegraf/lib/core/network/error.js').default,
};
