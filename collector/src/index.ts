export { startCollector, type RunningCollector, type CollectorSettings } from './collector.ts';
