// The command groups of each product area; an area adds its `register(program)` here.
import type { Command } from 'commander';
import { register as providers } from './providers';
import { register as tracking } from './tracking';
import { register as journeys } from './journeys';
import { register as orders } from './orders';
import { register as budgets } from './budgets';
import { register as backup } from './backup';
import { register as secrets } from './secrets';
import { register as retention } from './retention';
import { register as contacts } from './contacts';
import { register as reports } from './reports';

export const AREA_COMMANDS: ((program: Command) => void)[] = [providers, tracking, journeys, orders, budgets, backup, secrets, retention, contacts, reports];
