export { PriceCatalog, catalogInfo, createPriceCatalog } from './catalog.ts';
export type { ModelPriceOverride, PriceQuery, PriceResult } from './types.ts';
