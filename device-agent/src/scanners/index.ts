export * from './aim-symbology';
export * from './hid-pos.parser';
export * from './serial-line.framer';
export * from './scan-payload';
export * from './duplicate.filter';
