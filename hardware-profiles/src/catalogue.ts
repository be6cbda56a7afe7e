/**
 * The registered catalogue: every profile file is listed here (a test checks that none is missed).
 * Order matters only for ties in matching: earlier entries win.
 */
import { deviceProfileSchema, type DeviceProfile } from './schema';
import { profiles as epsonPrinters } from './printers/epson';
import { profiles as xprinterPrinters } from './printers/xprinter';
import { profiles as rongtaPrinters } from './printers/rongta';
import { profiles as zjiangPrinters } from './printers/zjiang';
import { profiles as genericPrinters } from './printers/generic';
import { profiles as simulatedPrinters } from './printers/simulated';
import { profiles as honeywellScanners } from './scanners/honeywell';
import { profiles as zebraScanners } from './scanners/zebra';
import { profiles as newlandScanners } from './scanners/newland';
import { profiles as datalogicScanners } from './scanners/datalogic';
import { profiles as genericScanners } from './scanners/generic';
import { profiles as simulatedScanners } from './scanners/simulated';
import { profiles as acsReaders } from './readers/acs';
import { profiles as omnikeyReaders } from './readers/hid-omnikey';
import { profiles as feitianReaders } from './readers/feitian';
import { profiles as genericReaders } from './readers/generic';
import { profiles as simulatedReaders } from './readers/simulated';
import { profiles as identivReaders } from './readers/identiv';
import { profiles as thalesReaders } from './readers/thales';
import { profiles as deskoReaders } from './readers/desko';
import { profiles as genericTerminals } from './terminals/generic';
import { profiles as simulatedTerminals } from './terminals/simulated';

export const profileModules = {
  'printers/epson': epsonPrinters,
  'printers/xprinter': xprinterPrinters,
  'printers/rongta': rongtaPrinters,
  'printers/zjiang': zjiangPrinters,
  'printers/generic': genericPrinters,
  'printers/simulated': simulatedPrinters,
  'scanners/honeywell': honeywellScanners,
  'scanners/zebra': zebraScanners,
  'scanners/newland': newlandScanners,
  'scanners/datalogic': datalogicScanners,
  'scanners/generic': genericScanners,
  'scanners/simulated': simulatedScanners,
  'readers/acs': acsReaders,
  'readers/hid-omnikey': omnikeyReaders,
  'readers/feitian': feitianReaders,
  'readers/generic': genericReaders,
  'readers/simulated': simulatedReaders,
  'readers/identiv': identivReaders,
  'readers/thales': thalesReaders,
  'readers/desko': deskoReaders,
  'terminals/generic': genericTerminals,
  'terminals/simulated': simulatedTerminals,
} as const;

export const catalogue: readonly DeviceProfile[] = Object.values(profileModules)
  .flat()
  .map((p) => deviceProfileSchema.parse(p));

export function profileById(id: string): DeviceProfile | undefined {
  return catalogue.find((p) => p.id === id);
}
