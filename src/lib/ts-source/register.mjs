// Registers hooks.mjs in a worker thread started from the TypeScript sources (tests, a
// checkout without dist/), so that it runs the same .ts modules as its parent.
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
