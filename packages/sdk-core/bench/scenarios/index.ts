import { burst } from './burst';
import { create } from './create';
import { devices, devices10 } from './devices';
import { freshProcess } from './fresh-process';
import { load } from './load';
import { long } from './long';
import { stream } from './stream';
import type { Scenario } from './types';
import { watch } from './watch';

/** Issue 6's five in its order, then issue 14's. */
export const SCENARIOS: readonly Scenario[] = [stream, burst, long, devices, load, create, devices10, freshProcess, watch];
