export * from './ecr-terminal.driver';
