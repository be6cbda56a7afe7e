/**
 * The registered catalogue: every profile file is listed here (a test checks that none is missed).
 */
import { deviceProfileSchema, type DeviceProfile } from './schema';
import { profiles as simulatedPrinters } from './printers/simulated';
import { profiles as simulatedScanners } from './scanners/simulated';

export const profileModules = {
  'printers/simulated': simulatedPrinters,
  'scanners/simulated': simulatedScanners,
} as const;

export const catalogue: readonly DeviceProfile[] = Object.values(profileModules)
  .flat()
  .map((p) => deviceProfileSchema.parse(p));

export function profileById(id: string): DeviceProfile | undefined {
  return catalogue.find((p) => p.id === id);
}
