import { z } from 'zod';

export const serviceInfoSchema = z.object({
  id: z.string().min(1).max(64),
  /** Ticket prefix, e.g. `A`. */
  prefix: z.string().regex(/^[A-Z]{1,3}$/u),
  name: z.object({ vi: z.string(), en: z.string() }),
  department: z.object({ vi: z.string(), en: z.string() }),
  room: z.string().max(32),
  floor: z.number().int(),
  waiting: z.number().int().nonnegative(),
  /** Estimated wait for a ticket taken now (waiting × the service's recent pace), whole minutes. */
  estimatedWaitMinutes: z.number().int().nonnegative().optional(),
});
export type ServiceInfo = z.infer<typeof serviceInfoSchema>;
