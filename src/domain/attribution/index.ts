// Attribution in one import: touches and windows, models, the credits of an order, currency conversion.
export * from './touches';
export * from './models';
export * from './credits';
export * from './currency';
export * from './dataDriven';
