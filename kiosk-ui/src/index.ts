/**
 * What other packages may read of the pages: the staff pages' text catalogue (Vietnamese and
 * English), which end-to-end tests check pages against. The pages themselves are built by Vite.
 */
export { en as staffEn, vi as staffVi, type StaffMessageKey } from './lib/staff-messages';
