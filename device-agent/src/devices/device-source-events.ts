/**
 * What every device source tells its listeners (a device attached, a device detached, the
 * transports' problems), kept once for the hardware and the simulated sources.
 */
import type { TransportProblem } from '@kiosk/protocol';
import { Listeners, type Unsubscribe } from '../transports/transport';
import type { DeviceSource, FoundDevice } from './device-source';

export abstract class DeviceSourceEvents implements Pick<DeviceSource, 'onAttach' | 'onDetach' | 'onProblems'> {
  protected readonly attached = new Listeners<[FoundDevice]>();
  protected readonly detached = new Listeners<[FoundDevice]>();
  protected readonly problemListeners = new Listeners<[TransportProblem[]]>();

  onAttach(listener: (device: FoundDevice) => void): Unsubscribe {
    return this.attached.add(listener);
  }
  onDetach(listener: (device: FoundDevice) => void): Unsubscribe {
    return this.detached.add(listener);
  }
  onProblems(listener: (problems: TransportProblem[]) => void): Unsubscribe {
    return this.problemListeners.add(listener);
  }
}
