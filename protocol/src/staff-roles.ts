/** The staff roles (plain data: the access tables and the schemas both start from it). */
export const staffRoles = ['admin', 'reception', 'clinic', 'viewer'] as const;
export type StaffRole = (typeof staffRoles)[number];
