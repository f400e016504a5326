// What the CLI needs from the TUI, as one entry point for scripts/bundle.mjs.
export { runTui } from './run.js';
export { StoreServices } from './store-services.js';
