import { z } from 'zod';

/** The payload of a command that takes none: `{}`, nothing else. */
export const noPayloadSchema = z.object({}).strict();
