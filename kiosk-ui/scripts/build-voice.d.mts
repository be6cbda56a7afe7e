/** Clip id → the Vietnamese text espeak-ng speaks for it. */
export declare const vocabulary: Record<string, string>;
