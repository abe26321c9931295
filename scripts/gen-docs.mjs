// Writes docs/rules.md from the rule table. The table is TypeScript, so bundle the tiny generator with
// esbuild in memory and run it.
import { build } from 'esbuild';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const out = await build({ entryPoints: ['src/report/rules-doc.ts'], bundle: true, platform: 'node', format: 'cjs', write: false });
const module = { exports: {} };
new Function('module', 'exports', 'require', out.outputFiles[0].text)(module, module.exports, createRequire(import.meta.url));
writeFileSync('docs/rules.md', module.exports.rulesMarkdown());
console.log('wrote docs/rules.md');
