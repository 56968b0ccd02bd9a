'use strict';
// Starts the bundled app (dist/bundle/main.js, `npm run build`) with a V8
// code cache beside it, as Node 22's module.enableCompileCache() would: the
// bundle's 10 MB are compiled once, and each later start reads the bytecode
// of the top level and of every function the first start ran (about a third
// of a start's CPU). The first start that finds no usable cache writes one
// once the app listens (main.ts calls the hook below). The cache is keyed by
// Node's version and the bundle's size and mtime, so a new build or another
// Node never reads an old one; V8 rejects one made with other flags, and it
// is then written again. Where dist/ cannot be written the app starts all
// the same, without a cache.
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

const bundle = path.join(__dirname, 'dist', 'bundle', 'main.js');
const source = fs.readFileSync(bundle, 'utf8');
const { size, mtimeMs } = fs.statSync(bundle);
const suffix = '.v8cache';
const cacheFile = `${bundle}.${process.version}-${process.arch}-${size}-${Math.trunc(mtimeMs)}${suffix}`;

let cachedData;
try {
  cachedData = fs.readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}
const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData });

/** Writes the cache (atomically: starts run side by side) and drops stale ones and
 * the leftovers of a start killed while it wrote. */
function writeCache() {
  try {
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, script.createCachedData());
    fs.renameSync(tmp, cacheFile);
    const dir = path.dirname(bundle);
    for (const name of fs.readdirSync(dir)) {
      const file = path.join(dir, name);
      if (name.includes(suffix) && file !== cacheFile) fs.rmSync(file, { force: true });
    }
  } catch {
    // A read-only dist/: the next start compiles again, nothing else changes.
  }
}
if (cachedData === undefined || script.cachedDataRejected) {
  globalThis[Symbol.for('insight-garden.listening')] = writeCache;
}

// pg asks while it loads (pg/lib/stream.js) whether it runs on Cloudflare
// Workers: with no `navigator`, as on Node 20, by making a `Response`, which
// loads Node's fetch (undici) for nothing: about 60 ms of CPU, a tenth of a
// start. While the bundle loads it sees the navigator Node 21 and later have;
// the app runs without one, as on Node 20.
const ownNavigator = !('navigator' in globalThis);
if (ownNavigator) {
  globalThis.navigator = { userAgent: `Node.js/${process.versions.node.split('.')[0]}` };
}
const mod = new Module(bundle, module);
mod.filename = bundle;
mod.paths = Module._nodeModulePaths(path.dirname(bundle));
script
  .runInThisContext()
  .call(mod.exports, mod.exports, Module.createRequire(bundle), mod, bundle, path.dirname(bundle));
if (ownNavigator) delete globalThis.navigator;
