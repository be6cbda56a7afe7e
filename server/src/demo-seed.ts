/** The demo hospital: Vietnamese departments and services, and demo staff logins. Only on an empty database. */
import type { KioskLanguageSettings } from '@kiosk/protocol';
import type { Committer } from './db/group-commit';
import { LANGUAGES_SETTING } from './services/facility.service';
import type { CatalogueRepository } from './repositories/catalogue.repository';

export const demoLogins = [
  { username: 'admin', password: 'admin-demo', role: 'admin' },
  { username: 'tiepdon', password: 'tiepdon-demo', role: 'reception' },
  { username: 'phongkham', password: 'phongkham-demo', role: 'clinic' },
  { username: 'xem', password: 'xem-demo', role: 'viewer' },
] as const;

const departments = [
  { id: 'kham-benh', name_vi: 'Khoa Khám bệnh', name_en: 'Outpatient Department' },
  { id: 'nhi', name_vi: 'Khoa Nhi', name_en: 'Paediatrics' },
  { id: 'tmh', name_vi: 'Khoa Tai Mũi Họng', name_en: 'Ear, Nose and Throat' },
  { id: 'san', name_vi: 'Khoa Sản', name_en: 'Obstetrics' },
];

const services = [
  {
    id: 'noi-tong-quat',
    department_id: 'kham-benh',
    prefix: 'A',
    name_vi: 'Khám Nội tổng quát',
    name_en: 'General internal medicine',
    room: '101',
    floor: 1,
  },
  {
    id: 'nhi-khoa',
    department_id: 'nhi',
    prefix: 'B',
    name_vi: 'Khám Nhi',
    name_en: 'Children',
    room: '205',
    floor: 2,
  },
  {
    id: 'tai-mui-hong',
    department_id: 'tmh',
    prefix: 'C',
    name_vi: 'Khám Tai Mũi Họng',
    name_en: 'Ear, nose and throat',
    room: '312',
    floor: 3,
  },
  {
    id: 'san-phu-khoa',
    department_id: 'san',
    prefix: 'D',
    name_vi: 'Khám Sản phụ khoa',
    name_en: 'Obstetrics and gynaecology',
    room: '208',
    floor: 2,
  },
];

/**
 * The demo hospital is in the Mekong delta: its kiosks also speak Khmer (names to be reviewed by a
 * native speaker, docs/decisions.md).
 */
export const demoLanguages: KioskLanguageSettings = {
  languages: ['vi', 'en', 'km'],
  spokenGuidance: false,
  names: {
    km: {
      departments: {
        'kham-benh': 'ផ្នែកពិនិត្យជំងឺ',
        nhi: 'ផ្នែកកុមារ',
        tmh: 'ផ្នែកត្រចៀក ច្រមុះ បំពង់ក',
        san: 'ផ្នែកសម្ភព',
      },
      services: {
        'noi-tong-quat': 'ពិនិត្យជំងឺទូទៅ',
        'nhi-khoa': 'ពិនិត្យកុមារ',
        'tai-mui-hong': 'ពិនិត្យត្រចៀក ច្រមុះ បំពង់ក',
        'san-phu-khoa': 'ពិនិត្យសម្ភព និងរោគស្ត្រី',
      },
    },
  },
};

export async function seedDemoFacility(catalogue: CatalogueRepository, transactions: Committer): Promise<boolean> {
  if (await catalogue.hasServices()) return false;
  await transactions.run((trx) =>
    catalogue.seed(
      trx,
      departments,
      services.map((s, i) => ({ ...s, sort: i, active: 1 })),
    ),
  );
  await catalogue.saveSetting(LANGUAGES_SETTING, JSON.stringify(demoLanguages), new Date().toISOString());
  return true;
}
