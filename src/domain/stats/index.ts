// The statistics of A/B tests, holdout lift and goals, in one import for services: `from '../domain/stats'`.
export * from './distributions';
export * from './proportions';
export * from './means';
export * from './compare';
export * from './holdout';
export * from './goals';
export { mulberry32 } from './prng';
export * from './incrementality';
