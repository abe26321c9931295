// What the @actions packages take from undici — ProxyAgent (@actions/http-client) and fetch
// (@actions/github) — loaded when first used instead of when the Action starts: requiring undici is
// ≈ 60 ms, a third of the Action's start-up, and the Action needs it only behind a proxy or for a GitHub
// API call. scripts/build.mjs points those packages' `undici` imports here (docs/benchmarks.md).
/* global require, module -- CommonJS, as esbuild bundles it into dist/index.js */
/* eslint-disable @typescript-eslint/no-require-imports -- requiring on first use is the point */
let undici = null;
const load = () => (undici ??= require('undici'));

module.exports = {
  get ProxyAgent() {
    return load().ProxyAgent;
  },
  get fetch() {
    return load().fetch;
  },
};
