import { i18n } from '../lib/staff-i18n.svelte';

/** The status line of an admin view: what its last change answered, in the staff's language. */
export type ChangeMessage = { ok: boolean; text: string };

/**
 * An admin view's changes: each one's answer becomes the view's message (`said`, by default
 * "saved", or the error's text), then the view reloads what it shows. `apply` answers whether the
 * change was taken.
 */
export class AdminChanges {
  message = $state<ChangeMessage | null>(null);

  constructor(private readonly refresh: () => Promise<void>) {}

  /** `said`: the message of a success ("saved" unless given; null: the message is cleared). */
  async apply(
    answer: Promise<{ ok: boolean; code?: string }>,
    said: string | null = i18n.t('admin.saved'),
  ): Promise<boolean> {
    const r = await answer;
    if (r.ok) this.message = said === null ? null : { ok: true, text: said };
    else this.failed(r.code);
    await this.refresh();
    return r.ok;
  }

  /** A success that needs no reload, in words. */
  said(text: string): void {
    this.message = { ok: true, text };
  }

  /** A refusal's message, from its code. */
  failed(code: string | undefined): void {
    this.message = { ok: false, text: i18n.error(code ?? 'http-error') };
  }
}
