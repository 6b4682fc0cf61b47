// `node --import @zerodrop/graceful/register app.js` (or in NODE_OPTIONS): probes and the zero-drop drain for the
// server the app listens on, without a line of code. Configuration: ZERODROP_* environment variables (README).
import { registerPreload } from './preload.js';

registerPreload();
