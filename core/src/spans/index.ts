export * from './columns.ts';
export * from './rollup-span.ts';
export * from './stored-span.ts';
export * from './column-fit.ts';
export * from './content.ts';
export * from './move-content.ts';
export * from './span-logs.ts';
export * from './span-id.ts';
