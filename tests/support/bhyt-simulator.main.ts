/**
 * The BHXH gateway's contract simulator as a process, for end-to-end runs: the demo BHYT card of
 * the docs (Nguyễn Thị Lan, GD4797912345678) is known and valid.
 * Run: BHYT_SIM_PORT=18095 npx tsx tests/support/bhyt-simulator.main.ts
 */
import { startBhytSimulator } from './bhyt-simulator';

export const demoGateway = { username: 'bv92012', password: 'mat-khau-thu' };

const sim = await startBhytSimulator({ ...demoGateway, port: Number(process.env.BHYT_SIM_PORT ?? 18095) });
sim.cards.set('GD4797912345678', {
  maThe: 'GD4797912345678',
  hoTen: 'Nguyễn Thị Lan',
  ngaySinh: '12/03/1988',
  gioiTinh: 'Nữ',
  maDKBD: '92012',
  gtTheTu: '01/01/2026',
  gtTheDen: '31/12/2099',
});
process.stdout.write(`BHYT gateway simulator on ${sim.url}\n`);
const stop = () => void sim.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
