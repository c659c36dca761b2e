// Bundled in place of the `abort-controller` package (infra/bundle.ts aliases it here): a polyfill
// (with event-target-shim, ~8 KB) of what Node has had built in since 15. Its one importer is
// telegraf's long polling, which the webhook never starts; the built-in is the same class.

export default globalThis.AbortController;
export const AbortController = globalThis.AbortController;
export const AbortSignal = globalThis.AbortSignal;
