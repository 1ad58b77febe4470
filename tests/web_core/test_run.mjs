// The command line and the pass/fail tally of the web core's Node test drivers (Node-only, unlike
// core_util.mjs, which the browser page loads too).

// "--name value" pairs into {name: value}; throws when one of `required` is missing.
export function parseArgs(required) {
  const args = {};
  for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
  for (const k of required) {
    if (!args[k]) throw new Error(`missing --${k}`);
  }
  return args;
}

const started = Date.now();
let failures = 0;

// Prints one "ok"/"FAIL" line per check and counts the failures.
export function check(cond, what) {
  console.log(`${cond ? 'ok  ' : 'FAIL'} ${what}`);
  if (!cond) failures++;
}

// Prints the verdict with the elapsed time and exits 1 when any check failed.
export function finish() {
  console.log(`${failures ? 'FAILED' : 'passed'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.exit(failures ? 1 : 0);
}
