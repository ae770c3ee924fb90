import { burst } from './burst';
import { devices } from './devices';
import { load } from './load';
import { long } from './long';
import { stream } from './stream';
import type { Scenario } from './types';

/** In issue 6's order. */
export const SCENARIOS: readonly Scenario[] = [stream, burst, long, devices, load];
