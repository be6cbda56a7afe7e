import { i18n } from '../lib/staff-i18n.svelte';

/** The status line of an admin view: what its last change answered, in the staff's language. */
export type ChangeMessage = { ok: boolean; text: string };

/**
 * An admin view's changes: each one's answer becomes the view's message ("saved" or the error's
 * text), then the view reloads what it shows. `apply` answers whether the change was taken.
 */
export class AdminChanges {
  message = $state<ChangeMessage | null>(null);

  constructor(private readonly refresh: () => Promise<void>) {}

  async apply(answer: Promise<{ ok: boolean; code?: string }>): Promise<boolean> {
    const r = await answer;
    this.message = r.ok
      ? { ok: true, text: i18n.t('admin.saved') }
      : { ok: false, text: i18n.error(r.code ?? 'http-error') };
    await this.refresh();
    return r.ok;
  }
}
