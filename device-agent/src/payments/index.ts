export * from './ecr-terminal.driver';
export * from './card-terminal.device';
export * from './card-payment.flow';
