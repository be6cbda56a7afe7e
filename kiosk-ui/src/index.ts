/**
 * What other packages may read of the pages: the staff pages' text catalogue (Vietnamese and
 * English), which end-to-end tests check pages against. The pages themselves are built by Vite.
 */
export { en as staffEn, vi as staffVi, type StaffMessageKey } from './lib/staff-messages';
/** The kiosk page's small socket.io client, which integration tests run against a real socket.io server. */
export { SmallSocket, type SmallSocketOptions, type WebSocketConstructor } from './lib/small-socket';
