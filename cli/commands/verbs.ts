import type { Command } from 'commander';

/** eksctl's verbs; each module hangs its nouns under them (`create cluster`, `create nodegroup`). */
export interface Verbs {
  create: Command;
  get: Command;
  delete: Command;
  update: Command;
  upgrade: Command;
  scale: Command;
  utils: Command;
}
