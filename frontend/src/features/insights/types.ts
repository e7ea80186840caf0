import type { components } from '../../api/schema.gen';

export type Calibration = components['schemas']['Calibration'];
/** A row of the Insights page's correction-rate table. */
export type InsightRowLike = components['schemas']['InsightRow'];
