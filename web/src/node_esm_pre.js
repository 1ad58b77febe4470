// Prepended to the Emscripten glue (--pre-js). The 3.1.6 glue, built as an ES module, still calls
// require() and reads __dirname when it runs under Node, and neither exists in an ES module. Node's
// process.getBuiltinModule (Node >= 20.16) gives the built-in modules synchronously, which is all the glue
// needs; __dirname is derived from the glue's own URL (_scriptDir, set by the glue from import.meta.url).
// In a browser both names stay unused.
var require = typeof process == 'object' && typeof process.getBuiltinModule == 'function'
    ? (name) => process.getBuiltinModule(name) : undefined;
var __dirname = require && typeof _scriptDir == 'string' && _scriptDir.startsWith('file:')
    ? require('path').dirname(require('url').fileURLToPath(_scriptDir)) : '.';
