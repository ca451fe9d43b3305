export { startFakeProviders, type FakeProviders, type FakeProvidersOptions, type RecordedRequest } from './server.ts';
export { Behaviours, behaviourSchema, type Behaviour, type BehaviourConfig, type BehaviourInput } from './behaviour.ts';
