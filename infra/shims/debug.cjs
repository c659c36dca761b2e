// Bundled in place of the `debug` package (infra/bundle.ts aliases it here). telegraf creates its
// loggers with it at import (`require('debug')('telegraf:client')`); they print only when the
// DEBUG variable names them, which no function sets, and their arguments would be payloads
// (answers, names), which must stay out of the logs anyway. So every logger is a no-op, and the
// package, with ms, supports-color and has-flag, is not evaluated on each cold start (~9 KB).
// CommonJS, because telegraf calls what require() returns.
'use strict';

function debug() {
  const log = () => undefined;
  log.enabled = false;
  log.extend = debug;
  return log;
}
debug.enable = () => undefined;
debug.disable = () => '';
debug.enabled = () => false;

module.exports = debug;
