// The Node side of what the server and the device agent share: code that needs Node's APIs and so
// cannot live in protocol's browser-safe entry. The kiosk pages never import it (lint).
export * from './sd-notify';
export * from './verify-signature';
