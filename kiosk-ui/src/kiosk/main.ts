// The kiosk page's entry: the start screen prerendered into index.html is painted first; the live
// page (app.ts) is fetched, run and mounted only after that first frame, so its script does not
// hold the paint back on a slow kiosk PC.
requestAnimationFrame(() => setTimeout(() => void import('./app')));
