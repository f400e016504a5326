// Every command, one file each. Add new ones here.
import type { CommandModule } from 'yargs';
import type { GlobalArgs } from '../context.js';
import { initCommand } from './init.js';
import { addCommand } from './add.js';
import { lsCommand } from './ls.js';
import { showCommand } from './show.js';
import { exportCommand } from './export.js';
import { verifyCommand } from './verify.js';
import { demoCommand } from './demo.js';
import { remoteCommand } from './remote.js';
import { browseCommand } from './browse.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<GlobalArgs, any>[] = [initCommand, addCommand, lsCommand, showCommand, exportCommand, verifyCommand, demoCommand, remoteCommand, browseCommand];
