#!/usr/bin/env node
// The `eksp` executable: runs the TypeScript CLI through tsx (a devDependency), with no build step.
require('tsx/cjs/api').register();
require('../main.ts').runFromProcess();
