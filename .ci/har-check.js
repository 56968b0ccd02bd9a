// Validates HAR files against the published HAR 1.2 schema (npm's
// har-validator, built on har-schema). Usage: node .ci/har-check.js MODULES FILE...
// where MODULES is the node_modules directory holding har-validator.
const path = require('path');
const fs = require('fs');
const [modules, ...files] = process.argv.slice(2);
const validate = require(path.resolve(modules, 'har-validator'));
(async () => {
  if (files.length === 0) {
    console.error('error: no HAR file to check');
    process.exit(1);
  }
  let invalid = 0;
  for (const file of files) {
    try {
      await validate.har(JSON.parse(fs.readFileSync(file, 'utf8')));
      console.log(`valid HAR 1.2: ${file}`);
    } catch (e) {
      invalid += 1;
      console.error(`invalid HAR: ${file}: ${JSON.stringify(e.errors || e.message)}`);
    }
  }
  process.exit(invalid ? 1 : 0);
})();
