// Writes the statement cases of ADL's LRS conformance suite as JSON, for
// test_validation_conformance.py: each statement its configs POST to /statements, built
// from its templates by its own helper, and whether the suite expects 200 or 400.
//
//   node xapi/tests/conformance/dump_cases.js SUITE | gzip -9n > xapi/tests/conformance/cases.json.gz
//
// SUITE is a checkout of github.com/adlnet/lrs-conformance-test-suite with `npm install` run in it.
// The suite makes up some ids and dates as it runs, so two runs differ in those alone.
"use strict";

const fs = require("fs");
const path = require("path");

const suite = path.resolve(process.argv[2]);
const versions = {v2_0: "2.0.0", v1_0_3: "1.0.3"};
process.chdir(suite); // the helper reads templates relative to the suite
process.env.EB_NODE_COMMAND = "1"; // keeps the helper from reading a .env file

const cases = new Map();
for (const [directory, version] of Object.entries(versions)) {
    process.env.DIRECTORY = directory;
    delete require.cache[require.resolve(path.join(suite, "test/helper.js"))];
    const helper = require(path.join(suite, "test/helper.js"));
    const configs = path.join(suite, "test", directory, "configs");
    for (const file of fs.readdirSync(configs).sort()) {
        for (const requirement of require(path.join(configs, file)).config()) {
            for (const test of requirement.config) {
                // As the suite's templatingSelection.js builds the body it POSTs.
                const built = helper.createTestObject(helper.convertTemplate(JSON.parse(JSON.stringify(test.templates))));
                const statement = built[Object.keys(built)[0]];
                const one = {config: file, requirement: requirement.name, name: test.name,
                             accepted: test.expect[0] === 200, statement};
                const key = JSON.stringify(one);
                if (!cases.has(key)) {
                    cases.set(key, {versions: [], ...one});
                }
                cases.get(key).versions.push(version);
            }
        }
    }
}
process.stdout.write(JSON.stringify({cases: [...cases.values()]}));
