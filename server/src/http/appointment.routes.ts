/** Appointments at the reception counter (local mode): book, move, cancel, the day's list, closing the day. */
import { z } from 'zod';
import { appointmentBookRequestSchema, appointmentMoveRequestSchema, ok } from '@kiosk/protocol';
import type { Services } from '../services';
import type { ApiRegistry } from './api';
import { COUNTER } from '../access';

const appointmentParams = z.object({ appointmentId: z.string().min(1).max(64) });
const dayQuery = z.object({
  day: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/u)
    .optional(),
});

export function registerAppointmentRoutes(api: ApiRegistry, s: Services): void {
  api.define(
    {
      method: 'GET',
      url: '/api/counter/appointments',
      summary: "A day's appointments (no names or ID numbers)",
      tag: 'appointments',
      access: COUNTER,
      query: dayQuery,
    },
    async ({ query }) => ok(await s.appointments.ofDay(query.day)),
  );
  api.define(
    {
      method: 'POST',
      url: '/api/counter/appointments',
      summary: 'Books an appointment; the answer carries the booking code for the patient',
      tag: 'appointments',
      access: COUNTER,
      body: appointmentBookRequestSchema,
    },
    async ({ body, user }) => {
      const booked = await s.appointments.book(body);
      if (booked.ok) await s.auth.audit(user.username, 'appointment-book', booked.value.appointmentId);
      return booked;
    },
  );
  api.define(
    {
      method: 'POST',
      url: '/api/counter/appointments/:appointmentId/move',
      summary: 'Moves a booked appointment to another time',
      tag: 'appointments',
      access: COUNTER,
      params: appointmentParams,
      body: appointmentMoveRequestSchema,
    },
    async ({ params, body, user }) => {
      const moved = await s.appointments.move(params.appointmentId, body.startsAt);
      if (moved.ok) await s.auth.audit(user.username, 'appointment-move', params.appointmentId);
      return moved;
    },
  );
  api.define(
    {
      method: 'POST',
      url: '/api/counter/appointments/:appointmentId/cancel',
      summary: 'Cancels a booked appointment',
      tag: 'appointments',
      access: COUNTER,
      params: appointmentParams,
    },
    async ({ params, user }) => {
      const cancelled = await s.appointments.cancel(params.appointmentId);
      if (cancelled.ok) await s.auth.audit(user.username, 'appointment-cancel', params.appointmentId);
      return cancelled;
    },
  );
  api.define(
    {
      method: 'POST',
      url: '/api/counter/appointments/close-day',
      summary: "End of the session: the day's bookings nobody came for become no-shows",
      tag: 'appointments',
      access: COUNTER,
      query: dayQuery,
    },
    async ({ query, user }) => {
      const noShows = await s.appointments.closeDay(query.day);
      await s.auth.audit(user.username, 'appointments-close-day', `${noShows.length} no-shows`);
      return ok({ noShows: noShows.length });
    },
  );
}
