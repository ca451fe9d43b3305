export { ALPHA, GAMMA, LogHistogram, SparseHistogram, keyOf, valueOf } from './log-histogram.ts';
