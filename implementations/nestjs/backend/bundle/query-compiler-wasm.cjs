'use strict';
// Stands in for Prisma's query_compiler_fast_bg.postgresql.wasm-base64.js in
// the bundle (`npm run bundle`): the query compiler's WebAssembly, as the
// base64 text the generated client decodes, read at start from the file the
// bundle step writes beside the bundle. Carried in the bundle, its 4.5 MB
// were read and decoded as UTF-8, and read again from the V8 code cache,
// at every start.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

module.exports = { wasm: readFileSync(join(__dirname, 'query-compiler.wasm.b64'), 'latin1') };
