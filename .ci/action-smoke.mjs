// Runs the run and verdict steps of action.yml as GitHub would, with a
// conformance binary built here: the step's `env` with its `${{ }}`
// expressions filled in, its script under bash, GITHUB_OUTPUT between
// them. Checks that the job fails exactly when conformance exits non-zero
// (a passing subject, a failing one, no subject at all). Usage:
//   node .ci/action-smoke.mjs CONFORMANCE_BIN YAML_MODULE_DIR
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, symlinkSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const [binary, yamlDir] = process.argv.slice(2);
const require = createRequire(join(resolve(yamlDir), "index.js"));
const { parse } = require("yaml");
const action = parse(readFileSync("action.yml", "utf8"));
const step = (name) => {
  const found = action.runs.steps.find((s) => s.name === name);
  if (!found) throw new Error(`action.yml has no step named ${name}`);
  return found;
};

// `${{ a || b }}` and `${{ a }}` against a flat context.
const fill = (text, context) =>
  String(text).replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, expr) => {
    for (const alt of expr.split("||").map((a) => a.trim())) {
      if (!(alt in context)) throw new Error(`no value for ${alt} in the smoke test`);
      if (context[alt]) return context[alt];
    }
    return "";
  });

const work = mkdtempSync(join(tmpdir(), "action-smoke-"));
const bin = join(work, "bin");
spawnSync("mkdir", [bin]);
symlinkSync(resolve(binary), join(bin, "conformance"));
const failing = join(work, "failing.toml");
writeFileSync(
  failing,
  readFileSync("profiles/reference.toml", "utf8").replace("faults = []", 'faults = ["documents-unguarded"]'),
);

function runSteps(inputs) {
  const output = join(work, "output");
  writeFileSync(output, "");
  const context = { "steps.release.outputs.dir": bin };
  for (const [name, spec] of Object.entries(action.inputs)) {
    context[`inputs.${name}`] = inputs[name] ?? spec.default ?? "";
  }
  const exec = (s) => {
    const env = { ...process.env, GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: join(work, "summary") };
    for (const [k, v] of Object.entries(s.env ?? {})) env[k] = fill(v, context);
    return spawnSync("bash", ["-e", "-c", s.run], { env, stdio: ["ignore", "inherit", "inherit"] }).status;
  };
  if (exec(step("conformance run")) !== 0) throw new Error("the run step itself failed");
  const outputs = Object.fromEntries(
    readFileSync(output, "utf8").split("\n").filter(Boolean).map((l) => l.split("=", 2)),
  );
  context["steps.run.outputs.exit-code"] = outputs["exit-code"] ?? "";
  return { exitCode: outputs["exit-code"], job: exec(step("Verdict")) };
}

const cases = [
  ["a conforming subject", { profile: "profiles/reference.toml", args: "--filter TOK-2 --quiet" }, "0", 0],
  ["a subject breaking TOK-2", { profile: failing, args: "--filter TOK-2 --quiet" }, "1", 1],
  ["no subject given", {}, "2", 2],
];
let wrong = 0;
for (const [label, inputs, code, job] of cases) {
  const got = runSteps({ ...inputs, "report-dir": join(work, "reports") });
  const ok = got.exitCode === code && got.job === job;
  console.log(`${ok ? "ok" : "WRONG"}: ${label}: exit-code=${got.exitCode}, job status ${got.job} (expected ${code}, ${job})`);
  if (!ok) wrong += 1;
}
rmSync(work, { recursive: true, force: true });
process.exit(wrong ? 1 : 0);
