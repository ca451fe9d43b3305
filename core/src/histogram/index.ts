export { ALPHA, GAMMA, LogHistogram, keyOf, valueOf } from './log-histogram.ts';
